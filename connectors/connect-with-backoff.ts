import { RunnerError } from '../runtime/runner-error.ts';

export interface BackoffOptions {
  /** e.g. "source.kafka: cannot reach brokers 127.0.0.1:9092" */
  readonly what: string;
  readonly attempts: number;
  readonly firstWaitMs: number;
  readonly maxWaitMs: number;
  /** Said after the last failure, e.g. "is the sender listening?" */
  readonly hint: string;
  readonly log: (line: string) => void;
  /** The reason to print for a failure (default: its message). */
  readonly reason?: (error: unknown) => string;
  /**
   * A failure that no retry can mend (a TLS handshake the server refuses, credentials it rejects), as the
   * message to fail with at once; undefined for failures worth retrying. Retrying those only delayed the
   * error by about a minute and ended it with the wrong hint ("are they running?").
   */
  readonly permanent?: (error: unknown) => string | undefined;
}

/**
 * Connects, retrying with doubling waits: one line a failed try, then one
 * clear error naming what could not be reached — never a stack dump.
 */
export async function connectWithBackoff<T>(connect: () => Promise<T>, o: BackoffOptions): Promise<T> {
  const reasonOf = o.reason ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const permanent = o.permanent?.(error);
      if (permanent !== undefined) throw new RunnerError(permanent, { cause: error });
      const reason = reasonOf(error);
      if (attempt >= o.attempts) throw new RunnerError(`${o.what} (${reason}) after ${o.attempts} attempts; ${o.hint}`);
      const wait = Math.min(o.firstWaitMs * 2 ** (attempt - 1), o.maxWaitMs);
      o.log(`${o.what} (${reason}); retrying in ${wait} ms`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
