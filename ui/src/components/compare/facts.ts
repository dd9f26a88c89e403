// How a comparison's facts are worded: the numbers come decided from Rust (`Comparison`), this
// only picks the catalog phrase for each, so the wording is tested without a window.
import type { Phrase } from '../../lib/supplier';
import type { CompareColumn } from '../../bindings/CompareColumn';
import type { MixCheck } from '../../bindings/MixCheck';
import type { MixedBatch } from '../../bindings/MixedBatch';
import type { OrderSize } from '../../bindings/OrderSize';

/** "500 → 600, sold in lots of 200", "20 → 50, the minimum order", or just "500". */
export function orderPhrase(order: OrderSize | null): Phrase | null {
  if (!order) return null;
  const params = {
    requested: String(order.requestedQty),
    order: String(order.orderQty),
    lot: String(order.lotSize ?? ''),
  };
  if (order.roundedToLot) return { key: 'compare.order.rounded', params };
  if (order.raisedToMinimum) return { key: 'compare.order.raised', params };
  return { key: 'compare.order.exact', params: { order: params.order } };
}

/** How old a stored copy is, in the largest whole unit. */
export function agePhrase(minutes: number): Phrase {
  if (minutes < 120) return { key: 'compare.age.minutes', params: { minutes: String(minutes) } };
  if (minutes < 48 * 60) return { key: 'compare.age.hours', params: { hours: String(Math.floor(minutes / 60)) } };
  return { key: 'compare.age.days', params: { days: String(Math.floor(minutes / 1440)) } };
}

/** 1688's 混批 terms, or "not stated" when it gave none. */
export function mixPhrase(mix: MixedBatch | null): Phrase {
  if (!mix) return { key: 'compare.unknown' };
  if (!mix.allowed) return { key: 'compare.mix.none' };
  const amount = mix.minAmountYuan != null ? String(mix.minAmountYuan) : null;
  const pieces = mix.minPieces != null ? String(mix.minPieces) : null;
  if (amount && pieces) return { key: 'compare.mix.both', params: { amount, pieces } };
  if (amount) return { key: 'compare.mix.amount', params: { amount } };
  if (pieces) return { key: 'compare.mix.pieces', params: { pieces } };
  return { key: 'compare.mix.allowed' };
}

/** Stock for the order: enough, short, or not stated. */
export function stockPhrase(column: CompareColumn): Phrase {
  if (column.stock == null) return { key: 'compare.stock.unknown' };
  const params = { stock: String(column.stock) };
  return column.stockCovers === false
    ? { key: 'compare.stock.short', params }
    : { key: 'compare.stock.covers', params };
}

/** A SKU's specs as one label ("颜色: 红色 / 尺码: L"), else its ID. */
export function skuLabel(specs: { name: string; value: string }[], skuId: string): string {
  const label = specs.map((s) => `${s.name}: ${s.value}`).join(' / ');
  return label || skuId;
}

/** Distinct line colours for up to eight offers, the first the app's accent. */
export const LINE_COLORS = ['--accent', '#1971c2', '#2b8a3e', '#862e9c', '#c2255c', '#e67700', '#0c8599', '#495057'];

/** A supplier's 混批 minimums against what a list orders from it: "meets 混批 ¥100" or
 * "¥37 short of 混批 ¥100" (the amounts decided in Rust). */
export function mixCheckPhrase(check: MixCheck): Phrase {
  const amount = check.terms.minAmountYuan != null ? String(check.terms.minAmountYuan) : null;
  const pieces = check.terms.minPieces != null ? String(check.terms.minPieces) : null;
  if (amount && check.amountShort != null && Number(check.amountShort) > 0)
    return { key: 'compare.mixCheck.shortAmount', params: { short: check.amountShort, amount } };
  if (pieces && check.piecesShort != null && check.piecesShort > 0)
    return { key: 'compare.mixCheck.shortPieces', params: { short: String(check.piecesShort), pieces } };
  if (amount) return { key: 'compare.mixCheck.metAmount', params: { amount } };
  if (pieces) return { key: 'compare.mixCheck.metPieces', params: { pieces } };
  return { key: 'compare.mixCheck.allowed' };
}
