import { UserFacingError } from '../runtime/user-facing-error.ts';

/** Errors that end the command with exit code 2 and one clear line: bad arguments, files that cannot be loaded. */
export class UsageError extends UserFacingError {
  override readonly name = 'UsageError';
}

/** A pipeline file that does not exist, throws while loading, or exports no pipeline. */
export class LoadError extends UsageError {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

export const exitCodes = Object.freeze({ ok: 0, findings: 1, usage: 2 });
