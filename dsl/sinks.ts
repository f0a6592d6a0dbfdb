import {
  ColumnNode,
  consoleSinkNodeOf,
  customSinkNodeOf,
  defaultRetry,
  FnNode,
  jsonlSinkNodeOf,
  memorySinkNodeOf,
  tableSinkNodeOf,
  type RetryOption,
  type SinkNode,
  type SinkTarget,
  type SourceLocation,
} from '../compiler/ir/index.ts';
import { BuildError } from './build-error.ts';
import { captureCallSite } from './call-site.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { FieldOf } from './rows.ts';
import { assertCqlIdentifier, assertFunction, assertNonEmptyString } from './validate.ts';

/**
 * A sink for rows of type R. R is never inferred from the options (they use
 * NoInfer): it comes from the `.sink()` call, so a column mapped to a field the
 * row does not have is a compile error.
 */
export interface SinkSpec<R> {
  readonly node: SinkNode;
  /** Phantom: ties the spec to its row type. */
  readonly __row?: (row: R) => void;
}

/**
 * The row type of a sink declared on its own, before `.sink()` can tell it
 * which row it receives: any field name is accepted there, and `.sink()`
 * still checks the row shape.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRow = Record<string, any>;

/** Where a column's value comes from: a field of the row, or a function of it. */
export type ColumnSource<R> = FieldOf<R> | ((row: R) => unknown);
export type ColumnMap<R> = Readonly<Record<string, ColumnSource<NoInfer<R>>>>;

/** Retries of a failed write: 'none', or how many more tries and the pause between them. */
export type { RetryOption };

export { defaultRetry };

/** Checks a `retry` option; what it means is `retryPolicyOf`'s (compiler/ir), shared with the lint. */
function assertRetryOption(call: string, retry: RetryOption | undefined, location?: SourceLocation): void {
  if (retry === undefined || retry === 'none') return;
  if (typeof retry !== 'object' || !Number.isInteger(retry.retries) || retry.retries < 0) {
    throw new BuildError(
      call,
      `retry must be 'none' or { retries: n >= 0, backoffMs? }, got ${JSON.stringify(retry)}`,
      location,
    );
  }
  const backoffMs = retry.backoffMs ?? defaultRetry.backoffMs;
  if (!Number.isFinite(backoffMs) || backoffMs < 0)
    throw new BuildError(call, `retry.backoffMs must be >= 0, got ${backoffMs}`, location);
}

function column(call: string, argument: string, name: string, from: unknown, location?: SourceLocation): ColumnNode {
  assertCqlIdentifier(call, `${argument} column`, name, location);
  if (typeof from === 'function')
    return ColumnNode.create(name, { type: 'fn', fn: FnNode.create(from as (...a: never[]) => unknown) });
  const field = assertNonEmptyString(call, `${argument}.${name}`, from, location);
  return ColumnNode.create(name, { type: 'field', field });
}

function columns(
  call: string,
  argument: string,
  map: unknown,
  location: SourceLocation | undefined,
  required: boolean,
): readonly ColumnNode[] {
  if (map === undefined && !required) return [];
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new BuildError(call, `${argument} must be an object mapping column names to row fields`, location);
  }
  const entries = Object.entries(map);
  if (required && entries.length === 0)
    throw new BuildError(call, `${argument} must map at least one column`, location);
  return Object.freeze(entries.map(([name, from]) => column(call, argument, name, from, location)));
}

interface TableTarget {
  readonly keyspace?: string;
  readonly table: string;
}

export interface UpsertOptions<R> {
  readonly table: string;
  /** Primary-key columns: must identify the aggregate (the group key and, when windowed, the window). */
  readonly key: ColumnMap<R>;
  /** Value columns: the whole aggregate, overwritten on every write. */
  readonly values: ColumnMap<R>;
  readonly retry?: RetryOption;
}

export interface CounterOptions<R> {
  readonly table: string;
  readonly key: ColumnMap<R>;
  /** The counter column; each write adds the row's `value` to it (a delta, not idempotent). */
  readonly counter: string;
  readonly retry?: RetryOption;
}

export interface SystemOfRecordOptions<R> {
  readonly table: string;
  /** The event id: a field, or a function of the event. Must be deterministic so replays overwrite, not duplicate. */
  readonly id?: ColumnSource<NoInfer<R>>;
  readonly retry?: RetryOption;
}

type WithKeyspace<O, K extends boolean> = K extends true ? O & { readonly keyspace: string } : O;

function tableTarget(
  call: string,
  target: SinkTarget,
  options: { keyspace?: unknown; table?: unknown },
  location?: SourceLocation,
): TableTarget {
  const table = assertCqlIdentifier(call, 'table', options?.table, location);
  if (target !== 'cassandra') return { table };
  return { keyspace: assertCqlIdentifier(call, 'keyspace', options.keyspace, location), table };
}

/** upsert / counter / systemOfRecord for a table store: Cassandra, or the embedded local store. */
function tableSinks<NeedsKeyspace extends boolean>(target: 'cassandra' | 'embedded') {
  return Object.freeze({
    /** Writes the whole aggregate for its key: idempotent, a replay converges (the seed's recommended model). */
    upsert<R = AnyRow>(options: WithKeyspace<UpsertOptions<R>, NeedsKeyspace>): SinkSpec<R> {
      const location = captureCallSite();
      const call = `${target}.upsert`;
      const where = tableTarget(call, target, options, location);
      const key = columns(call, 'key', options.key, location, true);
      const values = columns(call, 'values', options.values, location, true);
      assertRetryOption(call, options.retry, location);
      return {
        node: tableSinkNodeOf({ call: 'upsert', target, ...where, key, values, retry: options.retry }, location),
      };
    },
    /** Adds each aggregate's value to a counter column: the seed's anti-pattern under retries or replay. */
    counter<R extends { readonly value: number } = AnyRow & { readonly value: number }>(
      options: WithKeyspace<CounterOptions<R>, NeedsKeyspace>,
    ): SinkSpec<R> {
      const location = captureCallSite();
      const call = `${target}.counter`;
      const where = tableTarget(call, target, options, location);
      const counter = assertCqlIdentifier(call, 'counter', options.counter, location);
      const key = columns(call, 'key', options.key, location, true);
      assertRetryOption(call, options.retry, location);
      return {
        node: tableSinkNodeOf({ call: 'counter', target, ...where, key, counter, retry: options.retry }, location),
      };
    },
    /** Records that failed to decode, keyed by their source position (so a replay overwrites, not duplicates). */
    deadLetters(options: WithKeyspace<{ readonly table: string }, NeedsKeyspace>): SinkSpec<DeadLetter> {
      const location = captureCallSite();
      const call = `${target}.deadLetters`;
      const where = tableTarget(call, target, options, location);
      return { node: tableSinkNodeOf({ call: 'deadLetters', target, ...where }, location) };
    },
    /** Raw events keyed by their event id: the system of record that repair replays from. */
    systemOfRecord<R = AnyRow>(options: WithKeyspace<SystemOfRecordOptions<R>, NeedsKeyspace>): SinkSpec<R> {
      const location = captureCallSite();
      const call = `${target}.systemOfRecord`;
      const where = tableTarget(call, target, options, location);
      const id = options.id === undefined ? undefined : column(call, 'id', 'event_id', options.id, location).from;
      assertRetryOption(call, options.retry, location);
      return {
        node: tableSinkNodeOf({ call: 'systemOfRecord', target, ...where, id, retry: options.retry }, location),
      };
    },
  });
}

/** Sinks that write to Apache Cassandra (values always bound, identifiers validated here). */
export const cassandra = tableSinks<true>('cassandra');
/** The same sinks on the embedded file-backed store: the default when no Cassandra is configured. */
export const embedded = tableSinks<false>('embedded');

export interface JsonlUpsertOptions<R> {
  /** The folder of the file: it holds `<table>.jsonl`. */
  readonly dir: string;
  readonly table: string;
  /** Primary-key columns: each key is one line of the file. */
  readonly key: ColumnMap<R>;
  /** Value columns: the whole aggregate, overwritten on every write. */
  readonly values: ColumnMap<R>;
  readonly retry?: RetryOption;
}

/** Sinks that write JSONL files: a table is one file, one line a row, replaced whole on each write. */
export const jsonl = Object.freeze({
  /** Writes the whole aggregate for its key into `<dir>/<table>.jsonl`: idempotent, a replay leaves the same file. */
  upsert<R = AnyRow>(options: JsonlUpsertOptions<R>): SinkSpec<R> {
    const location = captureCallSite();
    const call = 'jsonl.upsert';
    const dir = assertNonEmptyString(call, 'dir', options?.dir, location);
    const table = assertCqlIdentifier(call, 'table', options.table, location);
    const key = columns(call, 'key', options.key, location, true);
    const values = columns(call, 'values', options.values, location, true);
    assertRetryOption(call, options.retry, location);
    const node = jsonlSinkNodeOf({ dir, table, key, values, retry: options.retry }, location);
    return { node };
  },
});

export interface CustomSinkOptions<R> {
  /** A name for messages and graphs. */
  readonly name?: string;
  readonly write: (rows: readonly NoInfer<R>[]) => void | Promise<void>;
  /** Whether writing the same rows twice leaves the same state as writing them once. */
  readonly idempotent: boolean;
  readonly retry?: RetryOption;
}

/** A sink of your own. Say honestly whether it is idempotent: the compiler holds you to it under retries. */
export function sink<R>(options: CustomSinkOptions<R>): SinkSpec<R> {
  const location = captureCallSite();
  assertFunction('sink', 'write', options?.write, location);
  if (typeof options.idempotent !== 'boolean')
    throw new BuildError(
      'sink',
      'idempotent must be true or false: say whether a repeated write is harmless',
      location,
    );
  const name = options.name === undefined ? undefined : assertNonEmptyString('sink', 'name', options.name, location);
  assertRetryOption('sink', options.retry, location);
  const write = FnNode.create(options.write);
  return {
    node: customSinkNodeOf({ name, write, idempotent: options.idempotent, retry: options.retry }, location),
  };
}

/** Sinks for tests, dry-runs and demos. */
export const sinks = Object.freeze({
  /** Keeps the latest row of each (key, window) in memory: upsert semantics. */
  memory<R>(name = 'memory'): SinkSpec<R> {
    return { node: memorySinkNodeOf(name, captureCallSite()) };
  },
  /** Prints rows; holds no state, so repeats are harmless. */
  console<R>(): SinkSpec<R> {
    return { node: consoleSinkNodeOf(captureCallSite()) };
  },
});
