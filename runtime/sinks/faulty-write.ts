import type { RetryPolicy } from '../../compiler/ir/index.ts';
import type { FaultSpec } from '../faults.ts';
import type { SeededRandom } from '../seeded-random.ts';

/** A write whose effect may or may not have happened: the caller cannot tell (a lost acknowledgement). */
export class SinkWriteError extends Error {
  override readonly name = 'SinkWriteError';
  constructor(
    readonly sink: string,
    readonly attempts: number,
    readonly applied: boolean,
    cause: unknown,
  ) {
    super(
      `${sink}: write failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

class InjectedFault extends Error {}

export interface WriteEnvironment {
  readonly faults: FaultSpec;
  readonly random: SeededRandom;
  readonly sleep: (ms: number) => Promise<void>;
  /** Told of every fault injected, so runs can report what actually happened. */
  readonly injected?: (fault: 'writeFail' | 'lostAck') => void;
}

/**
 * Performs a write under the sink's retry policy, with injected faults: a
 * write may fail before it is applied, or be applied and then reported as
 * failed (its acknowledgement lost). Either way the writer retries, as a
 * driver or an application would; for an idempotent write that is harmless,
 * for a counter it adds the delta again. Backoff doubles each attempt.
 */
export async function writeWithRetry(
  sink: string,
  retry: RetryPolicy,
  env: WriteEnvironment,
  write: () => void | Promise<void>,
): Promise<void> {
  let lastError: unknown;
  let applied = false;
  for (let attempt = 0; attempt <= retry.retries; attempt++) {
    if (attempt > 0 && retry.backoffMs > 0) await env.sleep(retry.backoffMs * 2 ** (attempt - 1));
    try {
      if (env.random.chance(env.faults.writeFail)) {
        env.injected?.('writeFail');
        throw new InjectedFault('injected write failure (not applied)');
      }
      await write();
      applied = true;
      if (env.random.chance(env.faults.lostAck)) {
        env.injected?.('lostAck');
        throw new InjectedFault('injected lost acknowledgement (the write landed)');
      }
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw new SinkWriteError(sink, retry.retries + 1, applied, lastError);
}
