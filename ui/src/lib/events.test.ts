import { describe, expect, it, vi } from 'vitest';
import type { KeywordSearch } from '../bindings/KeywordSearch';

type Handler = (event: { payload: unknown }) => void;
const handlers = new Map<string, Handler>();
const unlisten = vi.fn();
vi.mock('@tauri-apps/api/event', () => ({
  listen: (name: string, handler: Handler) => {
    handlers.set(name, handler);
    return Promise.resolve(unlisten);
  },
}));

const { onEvent, sameSearch } = await import('./events');

const search: KeywordSearch = {
  keyword: '保温杯',
  page: 1,
  pageSize: 20,
  priceMin: null,
  priceMax: null,
  categoryId: null,
  filters: ['shipIn48Hours', 'certifiedFactory'],
  sort: null,
};

describe('background events', () => {
  it('hands the payload to the handler and stops listening when asked', async () => {
    const seen: unknown[] = [];
    const stop = onEvent('offer-refreshed', (payload) => seen.push(payload.offerId));
    handlers.get('offer-refreshed')!({ payload: { offerId: '624516873409', offer: null, error: null } });
    expect(seen).toEqual(['624516873409']);
    stop();
    await Promise.resolve();
    expect(unlisten).toHaveBeenCalledOnce();
  });

  it('matches a refreshed page to the search shown, whatever the filter order', () => {
    const canonical = { ...search, filters: [...search.filters].reverse() };
    expect(sameSearch(search, canonical)).toBe(true);
    expect(sameSearch(search, { ...search, page: 2 })).toBe(false);
    expect(sameSearch(search, { ...search, keyword: ' 保温杯 ' })).toBe(true);
  });
});
