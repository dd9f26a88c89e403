// Sparklines for a page of list rows: one batched call per page (`priceSparklines`), never one
// per row; rows look theirs up by offer ID.
import { api } from './api';
import { attempt } from './app.svelte';
import type { Sparkline } from '../bindings/Sparkline';

export function sparkStore() {
  let byOffer = $state<Record<string, Sparkline>>({});
  let asked = '';
  return {
    get byOffer() {
      return byOffer;
    },
    /** Asks for these rows' lines, unless they are the ones shown already. */
    async load(rows: { offerId: string; qty?: number | null }[]) {
      const key = JSON.stringify(rows);
      if (key === asked) return;
      asked = key;
      const lines = await attempt(() => api.priceSparklines(rows.map((r) => ({ offerId: r.offerId, qty: r.qty ?? null }))));
      if (lines && asked === key) byOffer = Object.fromEntries(lines.map((l) => [l.offerId, l]));
    },
  };
}
