import { defaultRetry, type RetryPolicy } from '../sink-node.ts';

/** A sink's `retry` option as the DSL takes it: 'none', or how many more tries and the pause between them. */
export type RetryOption = 'none' | { readonly retries: number; readonly backoffMs?: number };

const noRetry: RetryPolicy = Object.freeze({ retries: 0, backoffMs: 0 });

/**
 * The policy a `retry` option means. Absent means the default (retrying): retries are the
 * normal answer to a failed write, and the cautious guess when the lint cannot read the option.
 */
export function retryPolicyOf(option: RetryOption | undefined): RetryPolicy {
  if (option === undefined) return defaultRetry;
  if (option === 'none') return noRetry;
  return Object.freeze({ retries: option.retries, backoffMs: option.backoffMs ?? defaultRetry.backoffMs });
}
