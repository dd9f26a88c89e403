// The app-wide state the pages share: what the Rust side said about the app, the page shown,
// and the last command failure.
import { api, CommandFailure, toCommandFailure } from './api';
import type { CommandError } from '../bindings/CommandError';
import { failureText as explainFailure, phraseText, translate, type MessageKey } from './i18n';
import type { AppInfo } from '../bindings/AppInfo';
import type { HealthTarget } from '../bindings/HealthTarget';
import type { Language } from '../bindings/Language';
import type { PickRequest } from '../bindings/PickRequest';

export type Page =
  | 'home'
  | 'pick'
  | 'search'
  | 'offers'
  | 'shortlists'
  | 'watches'
  | 'batch'
  | 'health'
  | 'settings'
  | 'offer'
  | 'suppliers'
  | 'supplier'
  | 'compare';

export const app = $state({
  info: null as AppInfo | null,
  page: 'home' as Page,
  failure: null as CommandFailure | null,
  /** The offer the offer page shows, and the page to go back to. */
  offerId: null as string | null,
  backTo: 'search' as Page,
  /** The supplier the supplier page shows (a supplier ID or an offer ID of it), and where its
   * Back button goes. */
  supplierId: null as string | null,
  supplierBackTo: 'suppliers' as Page,
  /** Price alerts not yet seen: the badge on the Watches button. */
  unseenAlerts: 0,
  /** Health targets breached over the last 24 hours: the badge on the Status button. */
  breachedTargets: [] as HealthTarget[],
  /** The user has read this run's notices (settings reset, cache rebuilt). */
  noticesRead: false,
  /** A need to prefill the Pick page's form with (e.g. a sample need); the page takes it once. */
  pickDraft: null as PickRequest | null,
  /** A keyword to search 1688 for when the Search page opens (a recent search on Home). */
  searchDraft: null as string | null,
  /** The offers the Compare page shows side by side (2–8), and the quantity compared. */
  compareIds: [] as string[],
  compareQty: 500,
  /** Why this desktop's copy of the team's data could not be refreshed (team mode): pages show
   * the last copy, read-only, under a label. */
  teamOffline: null as CommandError | null,
});

/** Re-reads how many alerts are new; a failure here just leaves the badge as it was. */
export async function refreshAlertCount(): Promise<void> {
  // The Watches page shows a failure when opened; a background count leaves the banner alone.
  const unseen = await attempt(() => api.alerts(true), { onFailure: () => {} });
  if (unseen) app.unseenAlerts = unseen.length;
}

/** Re-reads which health targets are breached (judged in Rust); a failure leaves the badge. */
export async function refreshHealthBadge(): Promise<void> {
  const breached = await attempt(() => api.healthBreaches(), { onFailure: () => {} });
  if (breached) app.breachedTargets = breached;
}

export function openOffer(offerId: string): void {
  if (app.page !== 'offer') app.backTo = app.page;
  app.offerId = offerId;
  app.page = 'offer';
}

export function openSupplier(supplier: string): void {
  if (app.page !== 'supplier') app.supplierBackTo = app.page;
  app.supplierId = supplier;
  app.page = 'supplier';
}

/** Opens the Compare page on these offers (at `qty` when given, else the last quantity). */
export function openCompare(offerIds: string[], qty?: number | null): void {
  app.compareIds = [...new Set(offerIds)];
  if (qty != null && qty > 0) app.compareQty = qty;
  app.page = 'compare';
}

/** Before the Rust side answers, show English: the first answer arrives within milliseconds. */
export function language(): Language {
  return app.info?.language ?? 'en';
}

export function t(key: MessageKey, params?: Record<string, string>): string {
  return translate(language(), key, params);
}

/** A phrase from the Rust side (a quote or cleaner problem) in the user's language. */
export function say(phrase: { code: string; params: Record<string, string> }, fallback?: string): string {
  return phraseText(language(), phrase, fallback);
}

/** A failure as the user reads it, in their language (see `failureText` in i18n). */
export function failureText(failure: { code: string; message: string; params?: Record<string, string> }): string {
  return explainFailure(language(), failure);
}

async function run(action: () => Promise<AppInfo>): Promise<void> {
  const info = await attempt(action);
  if (!info) return;
  app.info = info;
  // As the Rust side knows it now; the team-synced events keep it current afterwards.
  app.teamOffline = info.teamOffline;
}

export const load = () => run(api.appInfo);
export const chooseLanguage = (choice: Language | null) => run(() => api.setLanguage(choice));
export const connectLive = (appKey: string, appSecret: string, gateway: string | null) =>
  run(() => api.connectLive(appKey, appSecret, gateway));
export const useDemo = () => run(api.useDemo);
export const setRefreshSettings = (
  detailMinutes: number | null,
  searchMinutes: number | null,
  watchMinutes: number | null,
) => run(() => api.setRefreshSettings(detailMinutes, searchMinutes, watchMinutes));

export interface AttemptOptions {
  /** Asked when the answer arrives: false once a newer request has taken this one's place,
   * and then its answer and its failure are both dropped. */
  current?: () => boolean;
  /** Where a failure goes instead of the banner, e.g. the card it belongs to. Such a command
   * neither sets nor clears the banner. */
  onFailure?: (failure: CommandFailure) => void;
}

/** The one failure path: runs a command; a failure goes to the banner (or to `onFailure`) and
 * gives `undefined`, success clears the banner and gives the answer. */
export async function attempt<T>(action: () => Promise<T>, options: AttemptOptions = {}): Promise<T | undefined> {
  const { current = () => true, onFailure } = options;
  try {
    const value = await action();
    if (!current()) return undefined;
    if (!onFailure) app.failure = null;
    return value;
  } catch (error) {
    if (!current()) return undefined;
    const failure = toCommandFailure(error);
    if (onFailure) onFailure(failure);
    else app.failure = failure;
    return undefined;
  }
}
