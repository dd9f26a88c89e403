// A watch's rules and state, each in a few words of the user's language.
import { t } from './app.svelte';
import { percent, yuan } from './format';
import type { Watch } from '../bindings/Watch';

/** The watch's rules, each in a few words. */
export function ruleWords(watch: Watch): string[] {
  const r = watch.rules;
  const words: string[] = [];
  if (r.moves) {
    const p = percent(r.moves.threshold);
    words.push(
      r.moves.direction === 'up'
        ? t('watches.ruleUp', { percent: p })
        : r.moves.direction === 'down'
          ? t('watches.ruleDown', { percent: p })
          : t('watches.ruleMove', { percent: p }),
    );
  }
  if (r.targetPrice) words.push(t('watches.ruleTarget', { price: yuan(r.targetPrice) }));
  if (r.stock) words.push(t('watches.ruleStock', { sku: r.stock.sku ?? t('offer.ruleAnySku') }));
  if (r.tiers) words.push(t('watches.ruleTiers'));
  if (r.delisting) words.push(t('watches.ruleDelisting'));
  words.push(t('watches.ruleCap', { count: String(r.dailyCap) }));
  return words;
}

/** Where the watch stands: what the buyer was last told. */
export function stateWords(watch: Watch): string[] {
  const s = watch.state;
  const words: string[] = [];
  if (watch.rules.moves && s.baselinePrice) words.push(t('watches.baseline', { price: yuan(s.baselinePrice) }));
  if (s.atOrBelowTarget) words.push(t('watches.atTarget'));
  if (s.outOfStock.length > 0) words.push(t('watches.outOfStock', { skus: s.outOfStock.join(', ') }));
  if (s.delisted) words.push(t('watches.delistedNow'));
  if (s.alertsToday > 0) words.push(t('watches.alertsToday', { count: String(s.alertsToday) }));
  return words;
}
