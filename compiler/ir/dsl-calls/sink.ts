import { ColumnNode } from '../column-node.ts';
import { deadLetterSink } from '../dead-letter-sink.ts';
import type { FnNode } from '../fn-node.ts';
import { defaultRetry, SinkNode } from '../sink-node.ts';
import type { SourceLocation } from '../source-location.ts';
import { retryPolicyOf, type RetryOption } from './retry.ts';

/** `cassandra.<call>(…)` or `embedded.<call>(…)`: a table of a store. */
export type TableSinkCall = {
  readonly target: 'cassandra' | 'embedded';
  readonly keyspace?: string;
  readonly table: string;
  readonly retry?: RetryOption;
} & (
  | { readonly call: 'upsert'; readonly key: readonly ColumnNode[]; readonly values: readonly ColumnNode[] }
  | { readonly call: 'counter'; readonly key: readonly ColumnNode[]; readonly counter: string }
  | { readonly call: 'systemOfRecord'; readonly id?: ColumnNode['from'] }
  | { readonly call: 'deadLetters' }
);

/** The column a system of record keeps its event id in. */
const eventIdColumn = 'event_id';

/** The sink node a table sink call means: what it writes, and whether writing it twice is harmless. */
export function tableSinkNodeOf(spec: TableSinkCall, location: SourceLocation | undefined): SinkNode {
  const { target, keyspace, table } = spec;
  if (spec.call === 'deadLetters') return deadLetterSink(target, table, keyspace, location);
  const base = { target, keyspace, table, retry: retryPolicyOf(spec.retry), location };
  switch (spec.call) {
    case 'upsert':
      return SinkNode.create({ ...base, mode: 'upsert', key: spec.key, values: spec.values, idempotent: true });
    case 'counter':
      // Each write adds the row's value to the counter: a delta, never idempotent.
      return SinkNode.create({
        ...base,
        mode: 'counter',
        key: spec.key,
        values: [ColumnNode.create(spec.counter, { type: 'field', field: 'value' })],
        idempotent: false,
      });
    case 'systemOfRecord': {
      // Keyed by the event id, a replay overwrites; without one, every write is a new row.
      const id = spec.id === undefined ? undefined : ColumnNode.create(eventIdColumn, spec.id);
      return SinkNode.create({
        ...base,
        mode: 'system-of-record',
        key: id ? [id] : [],
        values: [],
        id,
        idempotent: id !== undefined,
      });
    }
  }
}

/** `jsonl.upsert({ dir, table, key, values, retry })`: a table kept as the file `<dir>/<table>.jsonl`. */
export interface JsonlSinkCall {
  readonly dir: string;
  readonly table: string;
  readonly key: readonly ColumnNode[];
  readonly values: readonly ColumnNode[];
  readonly retry?: RetryOption;
}

/** The whole aggregate per key, one line of the file a key: idempotent, like any upsert. */
export function jsonlSinkNodeOf(spec: JsonlSinkCall, location: SourceLocation | undefined): SinkNode {
  return SinkNode.create({
    target: 'jsonl',
    mode: 'upsert',
    table: spec.table,
    settings: Object.freeze({ dir: spec.dir }),
    key: spec.key,
    values: spec.values,
    retry: retryPolicyOf(spec.retry),
    idempotent: true,
    location,
  });
}

/** `sinks.memory(name)`: the latest row of each (key, window), kept in memory. */
export function memorySinkNodeOf(name: string, location: SourceLocation | undefined): SinkNode {
  return SinkNode.create({
    target: 'memory',
    mode: 'upsert',
    table: name,
    key: [],
    values: [],
    retry: defaultRetry,
    idempotent: true,
    location,
  });
}

/** `sinks.console()`: prints rows, holds no state, so repeats are harmless and nothing is retried. */
export function consoleSinkNodeOf(location: SourceLocation | undefined): SinkNode {
  return SinkNode.create({
    target: 'console',
    mode: 'append',
    key: [],
    values: [],
    retry: retryPolicyOf('none'),
    idempotent: true,
    location,
  });
}

/** `sink({ name, write, idempotent, retry })`: user code, idempotent only if it says so. */
export interface CustomSinkCall {
  readonly name?: string;
  /** Absent when the lint cannot see the function. */
  readonly write?: FnNode;
  readonly idempotent: boolean;
  readonly retry?: RetryOption;
}

export function customSinkNodeOf(spec: CustomSinkCall, location: SourceLocation | undefined): SinkNode {
  return SinkNode.create({
    target: 'custom',
    mode: 'custom',
    table: spec.name,
    key: [],
    values: [],
    retry: retryPolicyOf(spec.retry),
    idempotent: spec.idempotent,
    ...(spec.write ? { write: spec.write } : {}),
    location,
  });
}
