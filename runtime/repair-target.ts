import type { SinkNode } from '../compiler/ir/index.ts';
import type { Row, TableOp } from './sinks/table-op.ts';

/** Where repair reads the system of record from and rewrites aggregates to: the embedded store, or Cassandra. */
export interface RepairTarget {
  /** Every archived event, each once, streamed. */
  events(systemOfRecord: SinkNode): AsyncIterable<unknown>;
  /** The sink table's rows as stored, streamed; a key that comes again takes the later columns (a log's later upsert). */
  rows(sink: SinkNode): AsyncIterable<{ readonly key: readonly unknown[]; readonly columns: Row }>;
  /** A planned primary key as the table stores it, to compare with `rows`. */
  storedKey(sink: SinkNode, key: readonly unknown[]): readonly unknown[];
  write(sink: SinkNode, ops: readonly TableOp[]): Promise<void>;
}
