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

/** A whole number typed into a field, or null when the field is empty or not a number. */
export function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/** A decimal amount typed into a field, passed on as text so no digit is lost to floats. */
export function decimalText(text: string): string | null {
  const trimmed = text.trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? trimmed : null;
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
