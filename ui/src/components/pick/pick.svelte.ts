// The pick the user started and the run shown, kept here rather than in the page so a pick
// keeps running and reporting while the user looks at other pages.
import { Channel } from '@tauri-apps/api/core';
import { api } from '../../lib/api';
import { app, attempt } from '../../lib/app.svelte';
import { emptyForm, formOf, type NeedForm } from './need';
import type { PickOutcome } from '../../bindings/PickOutcome';
import type { PickProgress } from '../../bindings/PickProgress';
import type { PickRequest } from '../../bindings/PickRequest';
import type { PickRun } from '../../bindings/PickRun';
import type { PickRunSummary } from '../../bindings/PickRunSummary';
import type { Weights } from '../../bindings/Weights';

/** How many saved runs the page lists. */
const RECENT = 10;
/** Weight changes settle this long before the candidates are ranked again. */
const RERANK_DELAY_MS = 300;

export const pick = $state({
  form: emptyForm() as NeedForm,
  running: false,
  cancelling: false,
  /** The last pick was cancelled by the user. */
  cancelled: false,
  progress: null as PickProgress | null,
  /** The run shown: just finished or reopened. */
  run: null as PickRun | null,
  /** The weights the shown ranking uses, and that ranking (the run's, or re-ranked). */
  weights: null as Weights | null,
  outcome: null as PickOutcome | null,
  reranking: false,
  /** Offer IDs ticked for a shortlist. */
  selected: [] as string[],
  recent: [] as PickRunSummary[],
});

function show(run: PickRun): void {
  pick.run = run;
  pick.weights = { ...run.weights };
  pick.outcome = run.outcome;
  pick.selected = [];
}

export async function loadRecent(): Promise<void> {
  // The list is a convenience: a failure to read it leaves the banner to the page's actions.
  const runs = await attempt(() => api.pickRuns(RECENT), { onFailure: () => {} });
  if (runs) pick.recent = runs;
}

/** Runs a pick for `request`; `weights: null` lets the Rust side use its defaults. */
export async function startPick(request: PickRequest, weights: Weights | null = null): Promise<void> {
  if (pick.running) return;
  pick.running = true;
  pick.cancelling = false;
  pick.cancelled = false;
  pick.progress = null;
  const progress = new Channel<PickProgress>();
  progress.onmessage = (step) => (pick.progress = step);
  const run = await attempt(() => api.runPick(request, weights, progress), {
    // A cancel the user asked for is said quietly, not as a failure.
    onFailure: (failure) => {
      if (failure.code === 'pick.cancelled') pick.cancelled = true;
      else app.failure = failure;
    },
  });
  if (run) {
    app.failure = null;
    show(run);
  }
  pick.running = false;
  pick.cancelling = false;
  pick.progress = null;
  void loadRecent();
}

export async function cancelPick(): Promise<void> {
  pick.cancelling = true;
  await attempt(api.cancelPick);
}

/** Shows a saved run as it was saved. */
export async function openRun(runId: number): Promise<void> {
  const run = await attempt(() => api.pickRun(runId));
  if (!run) return;
  show(run);
  pick.form = formOf(run.request);
}

/** Runs a saved run's need again, with the weights it was ranked by. */
export async function rerun(runId: number): Promise<void> {
  const run = await attempt(() => api.pickRun(runId));
  if (!run) return;
  pick.form = formOf(run.request);
  await startPick(run.request, run.weights);
}

let timer: ReturnType<typeof setTimeout> | undefined;
let latest = 0;

/** Ranks the shown run again with `weights` (from what is stored; nothing is fetched), once
 * the changes settle. Only the newest answer is shown. */
export function rerank(weights: Weights): void {
  pick.weights = weights;
  const run = pick.run;
  if (!run) return;
  clearTimeout(timer);
  timer = setTimeout(async () => {
    const ticket = ++latest;
    pick.reranking = true;
    const outcome = await attempt(() => api.rerankPick(run.runId, weights), {
      current: () => ticket === latest && pick.run?.runId === run.runId,
    });
    if (ticket !== latest) return;
    pick.reranking = false;
    if (outcome && pick.run?.runId === run.runId) {
      pick.outcome = outcome;
      // Ticks stay on offers still shown.
      pick.selected = pick.selected.filter((id) => outcome.picks.some((p) => p.offerId === id));
    }
  }, RERANK_DELAY_MS);
}
