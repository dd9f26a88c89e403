// The batch the user started, kept here rather than in the page so it keeps running and
// reporting while the user looks at other pages.
import { api } from './api';
import { attempt } from './app.svelte';
import type { BatchCounts } from '../bindings/BatchCounts';
import type { BatchItem } from '../bindings/BatchItem';

export const batch = $state({
  text: '',
  running: false,
  cancelling: false,
  counts: null as BatchCounts | null,
  items: [] as BatchItem[],
});

export async function startBatch(): Promise<void> {
  if (batch.running) return;
  batch.running = true;
  batch.cancelling = false;
  batch.items = [];
  batch.counts = null;
  const final = await attempt(() =>
    api.runBatch(batch.text, ({ item, counts }) => {
      batch.items.push(item);
      batch.counts = counts;
    }),
  );
  if (final) batch.counts = final;
  batch.running = false;
  batch.cancelling = false;
}

export async function cancelBatch(): Promise<void> {
  batch.cancelling = true;
  await attempt(api.cancelBatch);
}
