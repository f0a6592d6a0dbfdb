import type { ColumnNode, SinkNode } from '../../compiler/ir/index.ts';
import type { ArchivedEvent } from '../record-output.ts';
import type { TableOp } from './table-op.ts';

export function columnValue(column: ColumnNode, row: unknown): unknown {
  return column.from.type === 'field'
    ? (row as Record<string, unknown>)[column.from.field]
    : (column.from.fn.fn as (r: unknown) => unknown)(row);
}

/**
 * What a batch of rows means for a table, by sink mode: an upsert of the
 * value columns; a delta added to the counter column; a raw event stored
 * under its event id (system of record); a dead letter under its position.
 */
export function rowsToOps(sink: SinkNode, rows: readonly unknown[]): TableOp[] {
  const key = (row: unknown) => sink.key.map((c) => columnValue(c, row));
  switch (sink.mode) {
    case 'counter': {
      const counter = sink.values[0]!.column;
      return rows.map((row) => ({ op: 'add', k: key(row), c: counter, d: Number((row as { value: unknown }).value) }));
    }
    case 'system-of-record':
      return archiveOps(archiveKeys(sink, rows), rows);
    default:
      return rows.map((row) => ({
        op: 'upsert',
        k: key(row),
        v: Object.fromEntries(sink.values.map((c) => [c.column, columnValue(c, row)])),
      }));
  }
}

/** The key each event of a system of record is stored under: its id (the sink's one key column). */
export function archiveKeys(sink: SinkNode, rows: readonly unknown[]): unknown[] {
  // Without an id (IDEM007) every copy is stored apart: exactly the duplication the rule warns of.
  if (!sink.id) return rows.map((_, i) => `no-id-${Date.now()}-${i}-${Math.random()}`);
  const id = sink.key[0]!;
  return rows.map((row) => columnValue(id, row));
}

/** A system of record's upserts: the i-th event stored under the i-th key. */
export const archiveOps = (keys: readonly unknown[], events: readonly unknown[]): TableOp[] =>
  events.map((event, i) => ({ op: 'upsert', k: [keys[i]], v: { payload: event } }));

/** The keys and events of what the archive step handed on: each event under the id the step took. */
export function archivedColumns(sink: SinkNode, rows: readonly ArchivedEvent[]): [readonly unknown[], unknown[]] {
  const events = rows.map((r) => r.event);
  return [sink.id ? rows.map((r) => r.id) : archiveKeys(sink, events), events];
}
