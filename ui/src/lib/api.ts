// The one door to the Rust side. Every command goes through `call`, which turns a rejected
// invoke into a typed `CommandFailure` carrying the `{ code, message }` the Rust side sent.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { AppInfo } from '../bindings/AppInfo';
import type { BatchCounts } from '../bindings/BatchCounts';
import type { BatchProgress } from '../bindings/BatchProgress';
import type { Health } from '../bindings/Health';
import type { PausedOffer } from '../bindings/PausedOffer';
import type { CommandError } from '../bindings/CommandError';
import type { Language } from '../bindings/Language';
import type { OfferPage } from '../bindings/OfferPage';
import type { OfferQuery } from '../bindings/OfferQuery';
import type { Offer } from '../bindings/Offer';
import type { OrderQuote } from '../bindings/OrderQuote';
import type { KeywordSearch } from '../bindings/KeywordSearch';
import type { SearchResults } from '../bindings/SearchResults';
import type { Alert } from '../bindings/Alert';
import type { PricePoint } from '../bindings/PricePoint';
import type { Watch } from '../bindings/Watch';
import type { WatchCheck } from '../bindings/WatchCheck';
import type { Shortlist } from '../bindings/Shortlist';
import type { ShortlistPage } from '../bindings/ShortlistPage';
import type { ShortlistQuery } from '../bindings/ShortlistQuery';

export class CommandFailure extends Error implements CommandError {
  readonly code: string;

  constructor(error: CommandError) {
    super(error.message);
    this.name = 'CommandFailure';
    this.code = error.code;
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CommandError).code === 'string' &&
    typeof (value as CommandError).message === 'string'
  );
}

/** Anything thrown by invoke, as a `CommandFailure`. Tauri itself rejects with bare strings
 * (an unknown command, a bad argument); those get the code `ipc`. */
export function toCommandFailure(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  if (isCommandError(error)) return new CommandFailure(error);
  const message = error instanceof Error ? error.message : String(error);
  return new CommandFailure({ code: 'ipc', message });
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandFailure(error);
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  /** `null` follows the OS language again. */
  setLanguage: (language: Language | null) => call<AppInfo>('set_language', { language }),
  searchOffers: (query: OfferQuery) => call<OfferPage>('search_offers', { query }),
  /** `refresh` asks 1688 even when the page was fetched a moment ago. */
  search1688: (search: KeywordSearch, refresh: boolean) =>
    call<SearchResults>('search_1688', { search, refresh }),
  fetchOffer: (offerId: string, refresh: boolean) => call<Offer>('fetch_offer', { offerId, refresh }),
  connectLive: (appKey: string, appSecret: string, gateway: string | null) =>
    call<AppInfo>('connect_live', { appKey, appSecret, gateway }),
  useDemo: () => call<AppInfo>('use_demo'),
  /** Cache lifetimes and the watch interval, in minutes; `null` is the default. */
  setRefreshSettings: (detailMinutes: number | null, searchMinutes: number | null, watchMinutes: number | null) =>
    call<AppInfo>('set_refresh_settings', { detailMinutes, searchMinutes, watchMinutes }),
  /** Resolves when the batch ends; each offer's result arrives through `onProgress` first. */
  runBatch: (text: string, onProgress: (progress: BatchProgress) => void) => {
    const progress = new Channel<BatchProgress>();
    progress.onmessage = onProgress;
    return call<BatchCounts>('run_batch', { text, progress });
  },
  cancelBatch: () => call<boolean>('cancel_batch'),
  pausedOffers: () => call<PausedOffer[]>('paused_offers'),
  /** An empty list lifts every pause. */
  resumeOffers: (offerIds: string[]) => call<number>('resume_offers', { offerIds }),
  health: () => call<Health>('health'),
  /** The stored copy, however old; never calls 1688. */
  storedOffer: (offerId: string) => call<Offer>('stored_offer', { offerId }),
  quoteOffer: (offerId: string, quantity: number, skuId: string | null) =>
    call<OrderQuote>('quote_offer', { offerId, quantity, skuId }),
  shortlists: () => call<Shortlist[]>('shortlists'),
  createShortlist: (name: string) => call<Shortlist>('create_shortlist', { name }),
  renameShortlist: (shortlistId: number, name: string) =>
    call<Shortlist>('rename_shortlist', { shortlistId, name }),
  deleteShortlist: (shortlistId: number) => call<void>('delete_shortlist', { shortlistId }),
  addToShortlist: (shortlistId: number, offerId: string) =>
    call<Shortlist>('add_to_shortlist', { shortlistId, offerId }),
  removeFromShortlist: (shortlistId: number, offerId: string) =>
    call<Shortlist>('remove_from_shortlist', { shortlistId, offerId }),
  setShortlistEntry: (shortlistId: number, offerId: string, note: string, targetQty: number | null) =>
    call<void>('set_shortlist_entry', { shortlistId, offerId, note, targetQty }),
  shortlistPage: (query: ShortlistQuery) => call<ShortlistPage>('shortlist_page', { query }),
  shortlistsOf: (offerId: string) => call<number[]>('shortlists_of', { offerId }),
  /** Saves the shortlist as CSV for Excel; resolves to the file's path. */
  exportShortlist: (shortlistId: number, quantity: number | null) =>
    call<string>('export_shortlist', { shortlistId, quantity }),
  /** `alertBasisPoints`: hundredths of a percent (500 = 5%); `null` is the default 5%. */
  watchOffer: (offerId: string, targetQty: number, alertBasisPoints: number | null) =>
    call<Watch[]>('watch_offer', { offerId, targetQty, alertBasisPoints }),
  unwatchOffer: (offerId: string) => call<Watch[]>('unwatch_offer', { offerId }),
  watchOf: (offerId: string) => call<Watch | null>('watch_of', { offerId }),
  watches: () => call<Watch[]>('watches'),
  priceHistory: (offerId: string, qty: number) => call<PricePoint[]>('price_history', { offerId, qty }),
  alerts: (unseenOnly: boolean) => call<Alert[]>('alerts', { unseenOnly }),
  markAlertsSeen: () => call<number>('mark_alerts_seen'),
  checkWatches: (all: boolean) => call<WatchCheck>('check_watches', { all }),
};
