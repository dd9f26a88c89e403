// The app-wide state the pages share: what the Rust side said about the app, the page shown,
// and the last command failure.
import { api, CommandFailure, toCommandFailure } from './api';
import { failureHint, translate, type MessageKey } from './i18n';
import type { AppInfo } from '../bindings/AppInfo';
import type { Language } from '../bindings/Language';

export type Page = 'search' | 'offers' | 'shortlists' | 'watches' | 'batch' | 'health' | 'settings' | 'offer';

export const app = $state({
  info: null as AppInfo | null,
  page: 'search' as Page,
  failure: null as CommandFailure | null,
  /** The offer the offer page shows, and the page to go back to. */
  offerId: null as string | null,
  backTo: 'search' as Page,
  /** Price alerts not yet seen: the badge on the Watches button. */
  unseenAlerts: 0,
  /** The user has read this run's notices (settings reset, cache rebuilt). */
  noticesRead: false,
});

/** Re-reads how many alerts are new; a failure here just leaves the badge as it was. */
export async function refreshAlertCount(): Promise<void> {
  try {
    app.unseenAlerts = (await api.alerts(true)).length;
  } catch {
    // The Watches page shows the failure when opened.
  }
}

export function openOffer(offerId: string): void {
  if (app.page !== 'offer') app.backTo = app.page;
  app.offerId = offerId;
  app.page = 'offer';
}

/** Before the Rust side answers, show English: the first answer arrives within milliseconds. */
export function language(): Language {
  return app.info?.language ?? 'en';
}

export function t(key: MessageKey, params?: Record<string, string>): string {
  return translate(language(), key, params);
}

/** A failure as the user reads it: the hint in their language when there is one, then the
 * Rust side's detailed message. */
export function failureText(failure: { code: string; message: string }): string {
  const hint = failureHint(language(), failure.code);
  return hint ? `${hint}（${failure.message}）` : failure.message;
}

async function run(action: () => Promise<AppInfo>): Promise<void> {
  try {
    app.info = await action();
    app.failure = null;
  } catch (error) {
    app.failure = toCommandFailure(error);
  }
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

/** Runs a command; a failure goes to the banner and gives `undefined`, success clears it. */
export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    const value = await action();
    app.failure = null;
    return value;
  } catch (error) {
    app.failure = toCommandFailure(error);
    return undefined;
  }
}
