// How the health figures read: each target's unit, its value rounded toward the side that
// fails (99.496% never reads as 99.5%), the threshold, and the words of states and windows.
import type { MessageKey } from '../../lib/i18n';
import type { TargetKey } from '../../bindings/TargetKey';
import type { TargetState } from '../../bindings/TargetState';
import type { Threshold } from '../../bindings/Threshold';
import type { ThresholdDirection } from '../../bindings/ThresholdDirection';
import type { HealthWindow } from '../../bindings/HealthWindow';

export type Unit = 'percent' | 'ms' | 'count' | 'minutes';
type Translate = (key: MessageKey, params?: Record<string, string>) => string;

/** The five targets in the dashboard's order, each with the figure shown beside it. */
export const DASHBOARD: readonly { key: TargetKey; beside?: TargetKey }[] = [
  { key: 'successRate' },
  { key: 'latencyMeanMs', beside: 'latencyP95Ms' },
  { key: 'cacheHitRate' },
  { key: 'throttledToday' },
  { key: 'updateLagMaxMinutes', beside: 'updateLagP95Minutes' },
];

export const WINDOWS: readonly HealthWindow[] = ['24h', '7d'];

export function unitOf(key: TargetKey): Unit {
  switch (key) {
    case 'successRate':
    case 'cacheHitRate':
      return 'percent';
    case 'latencyMeanMs':
    case 'latencyP95Ms':
      return 'ms';
    case 'throttledToday':
      return 'count';
    case 'updateLagMaxMinutes':
    case 'updateLagP95Minutes':
      return 'minutes';
  }
}

/** Decimals worth showing: percentages to a hundredth (thresholds like 99.5% sit there),
 * small times to a tenth, counts whole. */
function decimals(value: number, unit: Unit): number {
  if (unit === 'count') return 0;
  if (unit === 'percent') return 2;
  return Math.abs(value) < 10 ? 1 : 0;
}

/** The number alone: rounded down for an at-least target, up for an at-most one, so the
 * shown figure is never on the good side of a threshold the real one missed. */
export function figure(value: number, unit: Unit, direction?: ThresholdDirection): string {
  const scale = 10 ** decimals(value, unit);
  const scaled = value * scale;
  // A hair of tolerance: 99.5 * 100 is 9949.999… in binary.
  const rounded =
    direction === 'atLeast'
      ? Math.floor(scaled + 1e-9)
      : direction === 'atMost'
        ? Math.ceil(scaled - 1e-9)
        : Math.round(scaled);
  const text = (rounded / scale).toFixed(decimals(value, unit));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export const unitKey = (unit: Unit): MessageKey => `health.value.${unit}`;

/** A target's value with its unit, `—` when nothing was measured. */
export function valueText(t: Translate, key: TargetKey, value: number | null, direction?: ThresholdDirection): string {
  if (value == null) return '—';
  const unit = unitOf(key);
  return t(unitKey(unit), { value: figure(value, unit, direction) });
}

/** "Threshold: at least 99.5%". */
export function thresholdText(t: Translate, key: TargetKey, threshold: Threshold): string {
  const value = t(unitKey(unitOf(key)), { value: figure(threshold.limit, unitOf(key)) });
  return t(threshold.direction === 'atLeast' ? 'health.atLeast' : 'health.atMost', { value });
}

export const targetKey = (key: TargetKey): MessageKey => `health.target.${key}`;
export const stateKey = (state: TargetState): MessageKey => `health.state.${state}`;
export const windowKey = (window: HealthWindow): MessageKey => `health.window.${window}`;

/** The trend's x values: seconds since the epoch, as the chart takes them. */
export function trendX(points: { at: string }[]): number[] {
  return points.map((p) => Date.parse(p.at) / 1000);
}
