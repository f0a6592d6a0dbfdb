import type { SinkNode } from '../compiler/ir/index.ts';
import type { Row, TableOp } from './sinks/table-op.ts';

/**
 * One read of a system of record for repair. An event id archived in two
 * partitions (two event times: a retry that stamped its send time) may come
 * once from each, and a read that hands events on as they arrive may pass
 * on a copy that a later one outranks: only the whole read tells, so
 * `exact()`, asked once the events were read to their end, returns a second
 * read that leaves the losing copies out, or undefined when this one
 * already held each id once, in the copy that wins.
 */
export interface ArchiveRead {
  /** The archived events, a run (a partition, or a chunk) at a time. */
  readonly events: AsyncIterable<readonly unknown[]>;
  exact(): Promise<ArchiveRead | undefined>;
}

/** A sink row as the table stores it: its primary key and its columns. */
export interface StoredRow {
  readonly key: readonly unknown[];
  readonly columns: Row;
}

/** Where repair reads the system of record from and rewrites aggregates to: the embedded store, or Cassandra. */
export interface RepairTarget {
  /** Every archived event, streamed; each id once after `exact()`. */
  events(systemOfRecord: SinkNode): ArchiveRead;
  /**
   * The sink table's rows as stored, streamed a page at a time (a row an await would cost more than the row's
   * own work); a key that comes again takes the later columns (a log's later upsert).
   */
  rows(sink: SinkNode): AsyncIterable<readonly StoredRow[]>;
  /** A planned primary key as the table stores it, to compare with `rows`. */
  storedKey(sink: SinkNode, key: readonly unknown[]): readonly unknown[];
  write(sink: SinkNode, ops: readonly TableOp[]): Promise<void>;
}
