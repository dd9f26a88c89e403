import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn(), Channel: class {} }));

const { app, attempt } = await import('./app.svelte');
const { CommandFailure } = await import('./api');

const failure = new CommandFailure({ code: 'gateway.unreachable', message: 'no answer' });
const old = new CommandFailure({ code: 'store.failed', message: 'earlier' });

describe('attempt, the one failure path', () => {
  beforeEach(() => {
    app.failure = old;
  });

  it('gives the answer and clears the banner on success', async () => {
    await expect(attempt(() => Promise.resolve(42))).resolves.toBe(42);
    expect(app.failure).toBeNull();
  });

  it('puts a failure on the banner and gives undefined', async () => {
    await expect(attempt(() => Promise.reject(failure))).resolves.toBeUndefined();
    expect(app.failure).toBe(failure);
  });

  it('turns anything thrown into a CommandFailure', async () => {
    await attempt(() => Promise.reject(new Error('command nope not found')));
    expect(app.failure).toBeInstanceOf(CommandFailure);
    expect(app.failure?.code).toBe('ipc');
  });

  it('drops the answer and the failure of a request a newer one replaced', async () => {
    await expect(attempt(() => Promise.resolve(1), { current: () => false })).resolves.toBeUndefined();
    expect(app.failure).toBe(old);
    await expect(attempt(() => Promise.reject(failure), { current: () => false })).resolves.toBeUndefined();
    expect(app.failure).toBe(old);
  });

  it('sends a failure to onFailure instead, leaving the banner alone either way', async () => {
    const seen: unknown[] = [];
    await expect(attempt(() => Promise.reject(failure), { onFailure: (f) => seen.push(f) })).resolves.toBeUndefined();
    expect(seen).toEqual([failure]);
    expect(app.failure).toBe(old);
    await expect(attempt(() => Promise.resolve('ok'), { onFailure: (f) => seen.push(f) })).resolves.toBe('ok');
    expect(seen).toHaveLength(1);
    expect(app.failure).toBe(old);
  });
});
