// Display formatting only: the Rust side has already done every calculation.
import type { Money } from '../bindings/Money';
import type { Percent } from '../bindings/Percent';

/** Money arrives as an exact decimal string ("12.50"); shown with the yuan sign. */
export function yuan(money: Money | null | undefined): string {
  return money == null ? '—' : `¥${money}`;
}

/** Hundredths of a percent as a percentage: 4250 → "42.5%". */
export function percent(value: Percent | null | undefined): string {
  if (value == null) return '—';
  const whole = Math.trunc(value.basisPoints / 100);
  const rest = value.basisPoints % 100;
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

/** A signed move in hundredths of a percent: -250 → "−2.50%", 1200 → "+12.00%". */
export function percentChange(bp: number | null | undefined): string {
  if (bp == null) return '—';
  const sign = bp > 0 ? '+' : bp < 0 ? '−' : '';
  const abs = Math.abs(bp);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`;
}

/** A whole number typed into a field, or null when the field is empty or not a number. */
export function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/** A field the user typed something into that `read` cannot use: marked, never silently
 * left out of a query. An empty field is not unusable, just unset. */
export function unusable(text: string, read: (text: string) => unknown): boolean {
  return text.trim() !== '' && read(text) === null;
}

/** A decimal amount typed into a field, passed on as text so no digit is lost to floats. */
export function decimalText(text: string): string | null {
  const trimmed = text.trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? trimmed : null;
}

/** A percentage typed as a percent number ("30", "2.5", "0.05") as exact hundredths of a
 * percent (30 → 3000 basis points), or null when the field is empty or not such a number. No
 * floats: the digits are shifted, never multiplied. */
export function percentInput(text: string): Percent | null {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return basisPoints <= 10_000 ? { basisPoints } : null;
}

/** A 0–5 score typed as "4.5" or "4" as tenths (45, 40), or null when it is not one. */
export function scoreInput(text: string): number | null {
  const match = /^(\d)(?:\.(\d))?$/.exec(text.trim());
  if (!match) return null;
  const tenths = Number(match[1]) * 10 + Number(match[2] ?? '0');
  return tenths <= 50 ? tenths : null;
}

/** A 0–5 score kept in tenths, as "4.5 / 5". */
export function score(tenths: number | null | undefined): string {
  return tenths == null ? '—' : `${Math.trunc(tenths / 10)}.${tenths % 10} / 5`;
}

/** A weight kept in grams: "350 g", "1.25 kg". */
export function weight(grams: number | null | undefined): string {
  if (grams == null) return '—';
  if (grams < 1000) return `${grams} g`;
  const kg = (grams / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${kg} kg`;
}

/** Dimensions kept in millimetres, shown in centimetres as 1688 lists them: "30 × 20 × 10 cm". */
export function dimensions(
  size: { lengthMm: number | null; widthMm: number | null; heightMm: number | null } | null | undefined,
): string {
  if (!size) return '—';
  const cm = (mm: number | null) => (mm == null ? '?' : String(mm / 10));
  const sides = [size.lengthMm, size.widthMm, size.heightMm];
  return sides.every((mm) => mm == null) ? '—' : `${sides.map(cm).join(' × ')} cm`;
}

/** A UTC date from the Rust side as the user's local calendar date, e.g. "2026-11-28". */
export function localDate(utc: string): string {
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return utc;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}

/** A UTC time from the Rust side in the user's local time, e.g. "2026-11-28 16:05". */
export function localTime(utc: string): string {
  const date = new Date(utc);
  if (Number.isNaN(date.getTime())) return utc;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** Whole minutes between a UTC time and now, never negative. */
export function minutesAgo(utc: string, now: Date = new Date()): number {
  return Math.max(0, Math.floor((now.getTime() - new Date(utc).getTime()) / 60_000));
}

/** A byte count in the largest unit that keeps it readable. */
export function bytes(count: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${count} B` : `${value.toFixed(1)} ${units[unit]}`;
}
