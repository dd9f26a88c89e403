import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { api, call, CommandFailure, toCommandFailure } = await import('./api');
type FailureCode = import('./api').FailureCode;
const { commands, commandNames } = await import('../bindings/commands');
type CommandFailure = InstanceType<typeof CommandFailure>;

describe('the invoke wrapper', () => {
  // A block body: a function returned from beforeEach would run as a teardown.
  beforeEach(() => {
    invoke.mockReset();
  });

  it('passes commands and arguments through and returns the answer', async () => {
    invoke.mockResolvedValue({ version: '0.1.0' });
    await expect(api.setLanguage('zh-CN')).resolves.toEqual({ version: '0.1.0' });
    expect(invoke).toHaveBeenCalledWith('set_language', { language: 'zh-CN' });
  });

  it('sends a 1688 search as one KeywordSearch argument', async () => {
    invoke.mockResolvedValue({ total: 0 });
    const search = {
      keyword: '杯',
      page: 2,
      pageSize: 20,
      priceMin: '1',
      priceMax: '10.5',
      categoryId: 1042954,
      filters: ['shipIn48Hours' as const],
      sort: 'priceAsc' as const,
    };
    await api.search1688(search, true);
    expect(invoke).toHaveBeenCalledWith('search_1688', { search, refresh: true });
  });

  it('sends each generated wrapper to its Rust command, with camelCase argument keys', async () => {
    invoke.mockResolvedValue(null);
    await api.fetchOffer('624516873409', false);
    expect(invoke).toHaveBeenLastCalledWith('fetch_offer', { offerId: '624516873409', refresh: false });
    await api.setShortlistEntry(3, '624516873409', '样品', null);
    expect(invoke).toHaveBeenLastCalledWith('set_shortlist_entry', {
      shortlistId: 3,
      offerId: '624516873409',
      note: '样品',
      targetQty: null,
    });
    await api.watchOffer('624516873409', 100, 500);
    expect(invoke).toHaveBeenLastCalledWith('watch_offer', {
      offerId: '624516873409',
      targetQty: 100,
      alertBasisPoints: 500,
    });
    await api.appInfo();
    expect(invoke).toHaveBeenLastCalledWith('app_info', undefined);
  });

  it('has a wrapper for every command, each invoking its own name', async () => {
    invoke.mockResolvedValue(null);
    const names = Object.keys(commandNames) as (keyof typeof commands)[];
    expect(names).toEqual(Object.keys(commands));
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      const wrapper = commands[name] as (...args: unknown[]) => Promise<unknown>;
      await wrapper(...Array.from({ length: wrapper.length }, (_, i) => i));
      const [command, args] = invoke.mock.lastCall!;
      expect(command).toBe(commandNames[name]);
      // Every parameter goes out under a key, in order.
      expect(Object.values((args ?? {}) as object)).toEqual(Array.from({ length: wrapper.length }, (_, i) => i));
    }
  });

  it('makes a call that no longer fits the Rust command fail the type check', () => {
    // Never run: `svelte-check` (npm run check) reads these lines, and each must be an error.
    const typeChecks = () => {
      // @ts-expect-error: the offer ID is a string
      void api.fetchOffer(624516873409, false);
      // @ts-expect-error: `refresh` is an argument of its own, not a field
      void api.search1688({ keyword: '杯', page: 1, pageSize: 20, refresh: true });
      // @ts-expect-error: set_shortlist_entry takes a note and a target quantity too
      void api.setShortlistEntry(3, '624516873409');
      // @ts-expect-error: not a code the Rust side sends
      const code: FailureCode = 'gateway.unreachable';
      return code;
    };
    expect(typeof typeChecks).toBe('function');
  });

  it('turns a {code, message, params} rejection into a typed CommandFailure', async () => {
    invoke.mockImplementation(() =>
      Promise.reject({
        code: 'settings.unwritable',
        message: '设置文件无法写入',
        params: { path: '/数据/settings.json' },
      }),
    );
    const failure = await call('set_language').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CommandFailure);
    expect((failure as CommandFailure).code).toBe('settings.unwritable');
    expect((failure as CommandFailure).message).toBe('设置文件无法写入');
    expect((failure as CommandFailure).params).toEqual({ path: '/数据/settings.json' });
  });

  it('gives bare Tauri string errors the ipc code', () => {
    const failure = toCommandFailure('command nope not found');
    expect(failure.code).toBe('ipc');
    expect(failure.message).toBe('command nope not found');
    expect(toCommandFailure(failure)).toBe(failure);
  });
});
