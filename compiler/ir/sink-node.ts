import type { ColumnNode } from './column-node.ts';
import type { FnNode } from './fn-node.ts';
import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

export type SinkTarget = 'cassandra' | 'embedded' | 'jsonl' | 'memory' | 'console' | 'custom';

/**
 * What a write means, which decides whether writing it twice is harmless:
 * - `upsert`: the whole aggregate for a key (idempotent, last write wins);
 * - `counter`: a delta added to a counter (not idempotent);
 * - `system-of-record`: a raw event keyed by its event id (idempotent);
 * - `append`: a log line or dead letter (duplicates are visible, never merged);
 * - `custom`: user code, idempotent only if it says so.
 */
export type SinkMode = 'upsert' | 'counter' | 'system-of-record' | 'append' | 'custom';

/** `retries` is how many times a failed write is tried again (0: never). */
export interface RetryPolicy {
  readonly retries: number;
  readonly backoffMs: number;
}

/**
 * Retries are the normal answer to a failed write (the seed), so sinks retry unless told not to.
 * Here, not in dsl/, because both front ends build sink nodes: the DSL and the static lint.
 */
export const defaultRetry: RetryPolicy = Object.freeze({ retries: 3, backoffMs: 100 });

export interface SinkNode {
  readonly kind: 'Sink';
  readonly target: SinkTarget;
  readonly mode: SinkMode;
  readonly keyspace?: string;
  readonly table?: string;
  readonly key: readonly ColumnNode[];
  readonly values: readonly ColumnNode[];
  /** The event id column of a system of record. */
  readonly id?: ColumnNode;
  readonly retry: RetryPolicy;
  readonly idempotent: boolean;
  /** What its connector reads from the pipeline itself, as plain data: a JSONL sink's folder (`{ dir }`). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** The write function of a custom sink. */
  readonly write?: FnNode;
  /**
   * Named by no pipeline: the dead letters of a `.parse()` without a
   * `deadLetter`. Runners put them where their other dead letters go
   * (`defaultDeadLetterSink`): on Cassandra when one is configured.
   */
  readonly byDefault?: boolean;
  readonly location?: SourceLocation;
}

export const SinkNode = Object.freeze({
  is: kindGuard<SinkNode>('Sink'),
  create(props: Omit<SinkNode, 'kind'>): SinkNode {
    return Object.freeze({ kind: 'Sink', ...props });
  },
  /** A human name for messages: `keyspace.table`, or the target. */
  label(node: SinkNode): string {
    if (node.table === undefined) return `${node.target} sink`;
    return node.keyspace === undefined ? node.table : `${node.keyspace}.${node.table}`;
  },
});
