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
