// An alert in the user's words, from its fields (the English `message` is for the command line
// and logs). Shared by the Watches page and the first screen.
import { t } from './app.svelte';
import { percentChange, yuan } from './format';
import type { Alert } from '../bindings/Alert';
import type { AlertKind } from '../bindings/AlertKind';
import type { TierShape } from '../bindings/TierShape';

const KIND_KEYS = {
  priceDrop: 'alert.kind.priceDrop',
  priceRise: 'alert.kind.priceRise',
  atOrBelowTarget: 'alert.kind.atOrBelowTarget',
  outOfStock: 'alert.kind.outOfStock',
  backInStock: 'alert.kind.backInStock',
  tiersChanged: 'alert.kind.tiersChanged',
  delisted: 'alert.kind.delisted',
  relisted: 'alert.kind.relisted',
} as const satisfies Record<AlertKind, string>;

/** The alert's kind as a badge word. */
export function alertBadge(alert: Alert): string {
  return t(KIND_KEYS[alert.kind]);
}

/** Kinds that are bad news for a buyer, shown as a warning. */
export function alertWarns(alert: Alert): boolean {
  return ['priceRise', 'outOfStock', 'tiersChanged', 'delisted'].includes(alert.kind);
}

const breaks = (shape: TierShape | null) => (shape ? shape.breaks.map((b) => `${b}+`).join(' / ') : '—');
const moq = (shape: TierShape | null) => (shape ? String(shape.minimumOrder) : '—');

/** What happened, in a sentence. */
export function alertText(alert: Alert): string {
  const title = alert.title ?? alert.offerId;
  const qty = String(alert.targetQty ?? '');
  switch (alert.kind) {
    case 'priceDrop':
    case 'priceRise':
      return t('alert.text.move', {
        title,
        qty,
        old: yuan(alert.oldPrice),
        new: yuan(alert.newPrice),
        change: percentChange(alert.changeBp),
      });
    case 'atOrBelowTarget':
      return t('alert.text.target', {
        title,
        qty,
        new: yuan(alert.newPrice),
        target: yuan(alert.targetPrice),
        old: yuan(alert.oldPrice),
      });
    case 'outOfStock':
      return t('alert.text.outOfStock', { title, qty, sku: alert.skuSpecs ?? alert.sku ?? '' });
    case 'backInStock':
      return t('alert.text.backInStock', { title, qty, sku: alert.skuSpecs ?? alert.sku ?? '' });
    case 'tiersChanged':
      return t('alert.text.tiers', {
        title,
        oldMoq: moq(alert.oldTiers),
        newMoq: moq(alert.newTiers),
        oldBreaks: breaks(alert.oldTiers),
        newBreaks: breaks(alert.newTiers),
      });
    case 'delisted':
      return t('alert.text.delisted', { title, status: alert.status ?? '—' });
    case 'relisted':
      return t('alert.text.relisted', { title });
  }
}
