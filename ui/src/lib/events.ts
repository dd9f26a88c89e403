// What background work on the Rust side reports: a stale search page or offer refreshed (or
// not), a batch finished, a round of watch checks done. Names and payloads come from the Rust
// `Event` type (ts-rs), so a renamed event or a changed payload fails the type check here.
import { listen } from '@tauri-apps/api/event';
import type { Event } from '../bindings/Event';
import type { KeywordSearch } from '../bindings/KeywordSearch';

export type EventName = Event['event'];
export type EventPayload<N extends EventName> = Extract<Event, { event: N }>['payload'];

/** Calls `handler` with each `name` event's payload until the returned function is called;
 * made for `onMount`/`$effect`, which call it when the page goes away. */
export function onEvent<N extends EventName>(
  name: N,
  handler: (payload: EventPayload<N>) => void,
): () => void {
  const stop = listen<EventPayload<N>>(name, (event) => handler(event.payload));
  return () => void stop.then((unlisten) => unlisten());
}

/** Whether two searches ask for the same page (the refreshed one comes back canonical). */
export function sameSearch(a: KeywordSearch, b: KeywordSearch): boolean {
  const canonical = (s: KeywordSearch) =>
    JSON.stringify({ ...s, keyword: s.keyword.trim(), filters: [...s.filters].sort() });
  return canonical(a) === canonical(b);
}
