// The Settings fields of the health thresholds: percentages as the user types them ("99.5"),
// kept by the Rust side in hundredths of a percent; whole numbers for the rest. The ranges are
// checked in Rust; here text only becomes a number or is marked unusable.
import type { ThresholdOverrides } from '../../bindings/ThresholdOverrides';
import { wholeNumber } from '../../lib/format';

export type ThresholdField = keyof ThresholdOverrides;

/** The fields in the order of the dashboard, and which are percentages. */
export const FIELDS: readonly { field: ThresholdField; percent: boolean }[] = [
  { field: 'successRateBp', percent: true },
  { field: 'latencyMeanMs', percent: false },
  { field: 'cacheHitRateBp', percent: true },
  { field: 'throttledPerDay', percent: false },
  { field: 'updateLagMinutes', percent: false },
];

/** "99.5" → 9950; `null` for text that is not a percentage with at most two decimals. */
export function percentBp(text: string): number | null {
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** 9950 → "99.5". */
export function bpPercent(bp: number): string {
  const whole = Math.floor(bp / 100);
  const rest = bp % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}`;
}

export function fieldText(field: ThresholdField, value: number | null): string {
  if (value == null) return '';
  return FIELDS.find((f) => f.field === field)?.percent ? bpPercent(value) : String(value);
}

export function readField(field: ThresholdField, text: string): number | null {
  return FIELDS.find((f) => f.field === field)?.percent ? percentBp(text) : wholeNumber(text);
}

/** Every field read, or `null` when one cannot be. */
export function readAll(texts: Record<ThresholdField, string>): ThresholdOverrides | null {
  const read = Object.fromEntries(FIELDS.map(({ field }) => [field, readField(field, texts[field])]));
  return Object.values(read).some((v) => v === null) ? null : (read as ThresholdOverrides);
}
