import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import type { PlannedWrite } from './sinks/sink-writer.ts';

export interface RowChange {
  readonly sink: string;
  readonly key: readonly unknown[];
  readonly change: 'insert' | 'update' | 'same' | 'add';
  readonly before: Readonly<Record<string, unknown>> | undefined;
  readonly after: Readonly<Record<string, unknown>>;
}

/**
 * What a plan would do to the store, one row per primary key: the final
 * state of each upserted row against the current one, or the deltas a
 * counter would add. Later writes to a key supersede earlier ones, as in the
 * table.
 */
export function diffPlan(plan: readonly PlannedWrite[], store: EmbeddedStore): RowChange[] {
  const byRow = new Map<string, { sink: string; key: readonly unknown[]; after: Record<string, unknown>; counter: boolean }>();
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
    const [keyspace, table] = row.sink.split('.') as [string, string];
    const before = store.table({ keyspace, table }).get(row.key);
    let change: RowChange['change'];
    if (row.counter) change = 'add';
    else if (!before) change = 'insert';
    else change = Object.entries(row.after).every(([c, v]) => JSON.stringify(before[c]) === JSON.stringify(v)) ? 'same' : 'update';
    changes.push({ sink: row.sink, key: row.key, change, before, after: row.after });
  }
  return changes;
}
