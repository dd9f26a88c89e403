import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const { api, call, CommandFailure, toCommandFailure } = await import('./api');
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

  it('turns a {code, message} rejection into a typed CommandFailure', async () => {
    invoke.mockImplementation(() =>
      Promise.reject({ code: 'settings.unwritable', message: '设置文件无法写入' }),
    );
    const failure = await call('set_language').then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CommandFailure);
    expect((failure as CommandFailure).code).toBe('settings.unwritable');
    expect((failure as CommandFailure).message).toBe('设置文件无法写入');
  });

  it('gives bare Tauri string errors the ipc code', () => {
    const failure = toCommandFailure('command nope not found');
    expect(failure.code).toBe('ipc');
    expect(failure.message).toBe('command nope not found');
    expect(toCommandFailure(failure)).toBe(failure);
  });
});
