// A supplier's signals over time as its page draws them: the rates as chart lines in percent
// (a gap where 1688 did not say) and each change the Rust side found as a sentence.
import { score } from '../../lib/format';
import type { MessageKey } from '../../lib/i18n';
import type { ChartSeries } from '../../lib/charts/options';
import type { Percent } from '../../bindings/Percent';
import type { SignalChange } from '../../bindings/SignalChange';
import type { SupplierBadge } from '../../bindings/SupplierBadge';
import type { SupplierObservation } from '../../bindings/SupplierObservation';

type Translate = (key: MessageKey, params?: Record<string, string>) => string;

const RATES = [
  ['pickup48hRate', 'supplier.pickup48h', '--accent'],
  ['qualityRefundRate', 'supplier.qualityRefund', '--danger'],
  ['repurchaseRate', 'supplier.repurchase', '#19a979'],
] as const;

const BADGES: Record<SupplierBadge, MessageKey> = {
  powerMerchant: 'supplier.powerMerchant',
  superFactory: 'supplier.superFactory',
  tpMember: 'supplierHistory.tpMember',
};

function percentValue(rate: Percent | null): number | null {
  return rate == null ? null : rate.basisPoints / 100;
}

/** The rates over time (observations oldest first), one line per rate 1688 ever said. */
export function rateChart(observations: SupplierObservation[], t: Translate): { x: number[]; series: ChartSeries[] } {
  const x = observations.map((o) => Date.parse(o.observedAt) / 1000);
  const series = RATES.map(([field, key, color]) => ({
    label: t(key),
    color,
    values: observations.map((o) => percentValue(o.signals[field])),
  })).filter((line) => line.values.some((v) => v != null));
  return { x, series };
}

/** One change in the user's words: "became 实力商家", "诚信通 6 → 7 years". */
export function changeText(change: SignalChange, t: Translate): string {
  switch (change.kind) {
    case 'gained':
      return t('supplierHistory.gained', { badge: t(BADGES[change.badge]) });
    case 'lost':
      return t('supplierHistory.lost', { badge: t(BADGES[change.badge]) });
    case 'tpYears':
      return t('supplierHistory.tpYears', { from: String(change.from), to: String(change.to) });
    case 'medal':
      return t('supplierHistory.medal', { from: String(change.from), to: String(change.to) });
    case 'composite':
      return t('supplierHistory.composite', { from: score(change.from), to: score(change.to) });
  }
}
