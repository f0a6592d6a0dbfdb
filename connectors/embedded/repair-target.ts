import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkNode } from '../../compiler/ir/index.ts';
import { completeLines } from '../../runtime/log-lines.ts';
import type { TableOp } from '../../runtime/sinks/table-op.ts';
import { tableName, type EmbeddedStore } from './store.ts';
import type { RepairTarget, StoredRow } from '../../runtime/repair-target.ts';
import { partitionOf, SpillFiles } from '../../runtime/spill-files.ts';

/** Sink rows handed to repair at once. */
const rowsAPage = 1_000;
/** Bytes of system-of-record log deduplicated in memory at once. */
const dedupeBudget = 4 << 20;

const logPath = (store: EmbeddedStore, sink: SinkNode) =>
  join(store.dir, `${tableName({ keyspace: sink.keyspace, table: sink.table ?? 'unnamed' })}.jsonl`);

async function* upserts(path: string): AsyncGenerator<Extract<TableOp, { op: 'upsert' }>> {
  for await (const line of completeLines(path)) {
    const op = JSON.parse(line) as TableOp;
    if (op.op === 'upsert') yield op;
  }
}

/**
 * The archived events of a system-of-record log, each once: a replay appends
 * the same event id again, and the store keeps the last. Deduplicated a
 * partition of ids at a time, so memory holds one partition, not the log.
 */
async function* eachEventOnce(path: string, bytes: number): AsyncGenerator<readonly unknown[]> {
  const spill = new SpillFiles(Math.max(1, Math.ceil(bytes / dedupeBudget)), 'repair-sor');
  try {
    for await (const op of upserts(path)) {
      const id = JSON.stringify(op.k);
      spill.add(partitionOf(id, 0, spill.fanout), JSON.stringify([id, op.v.payload]));
    }
    for (let part = 0; part < spill.fanout; part++) {
      const latest = new Map<string, unknown>();
      for await (const line of spill.lines(part)) {
        const [id, payload] = JSON.parse(line) as [string, unknown];
        latest.set(id, payload);
      }
      spill.drop(part);
      yield [...latest.values()];
    }
  } finally {
    spill.remove();
  }
}

/**
 * Repair on the embedded store, reading the table logs as streams rather than
 * loading tables: the system of record a partition at a time, the sink
 * table's log op by op. Corrections go through the store.
 */
export function embeddedRepairTarget(store: EmbeddedStore): RepairTarget {
  return {
    events(sor) {
      const path = logPath(store, sor);
      // The store keeps one row an event id: its read is exact at once.
      return { events: eachEventOnce(path, existsSync(path) ? statSync(path).size : 0), exact: async () => undefined };
    },
    async *rows(sink) {
      let page: StoredRow[] = [];
      for await (const op of upserts(logPath(store, sink))) {
        page.push({ key: op.k, columns: op.v });
        if (page.length < rowsAPage) continue;
        yield page;
        page = [];
      }
      if (page.length > 0) yield page;
    },
    storedKey: (_sink, key) => key,
    // Through the store, so a store already open in this process sees the corrections (it loads the sink table, as the stream does).
    write: async (sink, ops) => store.table({ keyspace: sink.keyspace, table: sink.table ?? 'unnamed' }).write(ops),
  };
}
