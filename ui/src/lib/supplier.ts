// What a row or card says about a supplier and an offer's fulfilment, as catalog phrases (a
// key and its parameters) so the rules are tested once and the words stay in i18n.ts.
import { percent, score } from './format';
import type { MessageKey } from './i18n';
import type { Offer } from '../bindings/Offer';
import type { Supplier } from '../bindings/Supplier';
import type { SupplierSummary } from '../bindings/SupplierSummary';

export type Phrase = { key: MessageKey; params?: Record<string, string> };

/** Either shape of supplier the Rust side sends: the stored one and the result-page summary. */
export type AnySupplier = Supplier | SupplierSummary;

function isSummary(supplier: AnySupplier): supplier is SupplierSummary {
  return !('badges' in supplier);
}

/** The supplier's badges in 1688's words: 实力商家, 超级工厂, then 诚信通 — its years when
 * `withYears` and they are known, else 诚信通会员 for a member whose years are not known
 * (where the years are shown beside the badges, the badge does not repeat them). */
export function badgePhrases(supplier: AnySupplier | null | undefined, withYears = false): Phrase[] {
  if (!supplier) return [];
  const flags = isSummary(supplier)
    ? { powerMerchant: supplier.powerMerchant, superFactory: supplier.superFactory, tpMember: false }
    : (supplier.badges ?? { powerMerchant: false, superFactory: false, tpMember: false });
  const shown: Phrase[] = [];
  if (flags.powerMerchant) shown.push({ key: 'supplier.powerMerchant' });
  if (flags.superFactory) shown.push({ key: 'supplier.superFactory' });
  if (withYears && supplier.tpYears != null) {
    shown.push({ key: 'supplier.tpYears', params: { years: String(supplier.tpYears) } });
  } else if (flags.tpMember && supplier.tpYears == null) {
    shown.push({ key: 'supplier.tpMember' });
  }
  return shown;
}

/** Where the supplier is: "浙江 义乌", or '' when 1688 did not say. */
export function place(supplier: AnySupplier): string {
  return [supplier.province, supplier.city].filter(Boolean).join(' ');
}

/** The supplier's service signals a buyer compares, each only when 1688 said it. */
export function servicePhrases(supplier: AnySupplier | null | undefined): Phrase[] {
  if (!supplier) return [];
  const serviceTenths = isSummary(supplier) ? supplier.serviceScoreTenths : supplier.scores.composite;
  const shown: Phrase[] = [];
  if (serviceTenths != null) shown.push({ key: 'metric.service', params: { score: score(serviceTenths) } });
  // On a result row the repeat-buyer rate has its own column.
  if (!isSummary(supplier) && supplier.repurchaseRate) {
    shown.push({ key: 'metric.supplierRepurchase', params: { rate: percent(supplier.repurchaseRate) } });
  }
  if (supplier.pickup48hRate) shown.push({ key: 'metric.pickup48h', params: { rate: percent(supplier.pickup48hRate) } });
  if (supplier.qualityRefundRate) {
    shown.push({ key: 'metric.qualityRefund', params: { rate: percent(supplier.qualityRefundRate) } });
  }
  return shown;
}

/** What a 1688 search item says about fulfilment and service, each only when 1688 said it:
 * the few a buyer scans for first, then the rest (shown on hover). */
export function offerMetrics(offer: Offer): { main: Phrase[]; more: Phrase[] } {
  const ship = offer.shipping;
  const s = offer.supplier;
  const main: Phrase[] = [];
  const more: Phrase[] = [];
  if (ship.dispatchHours != null) main.push({ key: 'metric.dispatch', params: { hours: String(ship.dispatchHours) } });
  if (offer.onePieceDropship) main.push({ key: 'metric.onePiece' });
  if (ship.pickup24h30d) main.push({ key: 'metric.pickup24h', params: { rate: percent(ship.pickup24h30d) } });
  if (ship.qualityReturn30d) main.push({ key: 'metric.qualityReturn', params: { rate: percent(ship.qualityReturn30d) } });
  if (s?.scores.composite != null) main.push({ key: 'metric.service', params: { score: score(s.scores.composite) } });
  if (ship.perfectFulfilment30d) more.push({ key: 'metric.perfect', params: { rate: percent(ship.perfectFulfilment30d) } });
  if (ship.delayedShipping7d) more.push({ key: 'metric.delayed', params: { rate: percent(ship.delayedShipping7d) } });
  if (s?.pickup48hRate) more.push({ key: 'metric.pickup48h', params: { rate: percent(s.pickup48hRate) } });
  if (s?.qualityRefundRate) more.push({ key: 'metric.qualityRefund', params: { rate: percent(s.qualityRefundRate) } });
  if (s?.repurchaseRate) more.push({ key: 'metric.supplierRepurchase', params: { rate: percent(s.repurchaseRate) } });
  return { main, more };
}
