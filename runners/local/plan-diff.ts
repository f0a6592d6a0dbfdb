import type { EmbeddedStore, Row } from '../../connectors/embedded/store.ts';
import type { PlannedWrite } from '../../runtime/sinks/sink-writer.ts';

export interface RowChange {
  readonly sink: string;
  readonly key: readonly unknown[];
  readonly change: 'insert' | 'update' | 'same' | 'add';
  readonly before: Readonly<Record<string, unknown>> | undefined;
  readonly after: Readonly<Record<string, unknown>>;
}

/** How to find a table's current row: `sink` is `keyspace.table`. */
export type RowLookup = (sink: string, key: readonly unknown[]) => Row | undefined;

export const storeLookup =
  (store: EmbeddedStore): RowLookup =>
  (sink, key) => {
    const [keyspace, table] = sink.split('.') as [string, string];
    return store.table({ keyspace, table }).get(key);
  };

/**
 * What a plan would do to a table store, one row per primary key: the final
 * state of each upserted row against the current one, or the deltas a
 * counter would add. Later writes to a key supersede earlier ones, as in the
 * table.
 */
export function diffPlan(plan: readonly PlannedWrite[], lookup: RowLookup): RowChange[] {
  const byRow = new Map<
    string,
    { sink: string; key: readonly unknown[]; after: Record<string, unknown>; counter: boolean }
  >();
  for (const write of plan) {
    for (const op of write.ops) {
      const id = JSON.stringify([write.sink, op.k]);
      const row = byRow.get(id) ?? { sink: write.sink, key: op.k, after: {}, counter: op.op === 'add' };
      if (op.op === 'upsert') Object.assign(row.after, op.v);
      else row.after[op.c] = ((row.after[op.c] as number | undefined) ?? 0) + op.d;
      byRow.set(id, row);
    }
  }
  const changes: RowChange[] = [];
  for (const row of byRow.values()) {
    const before = lookup(row.sink, row.key);
    let change: RowChange['change'];
    if (row.counter) change = 'add';
    else if (!before) change = 'insert';
    else
      change = Object.entries(row.after).every(([c, v]) => JSON.stringify(before[c]) === JSON.stringify(v))
        ? 'same'
        : 'update';
    changes.push({ sink: row.sink, key: row.key, change, before, after: row.after });
  }
  return changes;
}
