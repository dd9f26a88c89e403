// The one door to the Rust side. Every command goes through `call`, which turns a rejected
// invoke into a typed `CommandFailure` carrying the `{ code, message, params }` the Rust side sent. The
// typed wrappers over it are generated from the Rust commands (bindings/commands.ts).
import { invoke } from '@tauri-apps/api/core';
import type { CommandError } from '../bindings/CommandError';
import type { ErrorCode } from '../bindings/ErrorCode';

/** What a failure's code can be: one of the Rust side's stable codes, or `ipc` when Tauri
 * itself refused the call (an unknown command, a bad argument). */
export type FailureCode = ErrorCode | 'ipc';

export class CommandFailure extends Error {
  readonly code: FailureCode;
  /** What the failure names (a file, an offer, a name), shown beside the code's explanation. */
  readonly params: Record<string, string>;

  /** Takes any code: a rejection is only checked to be `{ code, message }`, and the Rust side
   * sends the exported `ErrorCode`s (its `CommandError.code` is typed so). */
  constructor(error: { code: string; message: string; params?: Record<string, string> }) {
    super(error.message);
    this.name = 'CommandFailure';
    this.code = error.code as FailureCode;
    this.params = error.params ?? {};
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
