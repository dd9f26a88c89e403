// The commands the pages call. Their names, argument names and types and answers are generated
// from the Rust commands (bindings/commands.ts, written by `cargo test` from
// src-tauri/src/contract.rs), so a changed command fails the type check where it is called.
// Only what is more than one invoke is written here.
import { Channel } from '@tauri-apps/api/core';
import type { BatchProgress } from '../bindings/BatchProgress';
import { commands } from '../bindings/commands';

export { call, CommandFailure, toCommandFailure, type FailureCode } from './ipc';

export const api = {
  ...commands,
  /** Resolves when the batch ends; each offer's result arrives through `onProgress` first. */
  runBatch: (text: string, onProgress: (progress: BatchProgress) => void) => {
    const progress = new Channel<BatchProgress>();
    progress.onmessage = onProgress;
    return commands.runBatch(text, progress);
  },
};
