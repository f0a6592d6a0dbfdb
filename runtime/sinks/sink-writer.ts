import { SinkNode } from '../../compiler/ir/index.ts';
import type { PipelineNode } from '../../compiler/ir/index.ts';
import { tableId, type TableWriter, type Targets } from '../target-connector.ts';
import type { TableOp } from './table-op.ts';
import type { ArchivedEvent } from '../record-output.ts';
import { archivedColumns, archiveOps, rowsToOps } from './table-ops.ts';

/** Rows kept by `sinks.memory()` sinks: the latest row of each (key, window), by sink name. */
export type MemorySinkContents = Map<string, Map<string, unknown>>;

/** A write the run would make, for `--dry-run`. */
export interface PlannedWrite {
  readonly sink: string;
  readonly mode: SinkNode['mode'];
  readonly ops: readonly TableOp[];
}

export interface SinkWriter {
  /** Stable name: the table (`keyspace.table`) or the sink's name. */
  readonly id: string;
  readonly node: SinkNode;
  write(rows: readonly unknown[]): void | Promise<void>;
}

export interface SinkContext {
  /** The pipeline whose sinks these are: a connector derives its tables from it. */
  readonly pipeline: PipelineNode;
  /** Where table sinks write: each asks the connector of its target. */
  readonly targets: Targets;
  readonly memory: MemorySinkContents;
  /** When set, table writes are recorded here instead of applied. */
  readonly plan?: PlannedWrite[];
  readonly log: (line: string) => void;
}

const rowKey = (row: unknown) => {
  const r = row as { key?: unknown; windowStart?: unknown };
  return JSON.stringify([r.key, r.windowStart ?? null]);
};

/**
 * The writer for a sink. Memory, console and custom sinks live in this process; a table sink writes
 * through the connector of its target (`Targets.for`: Cassandra sinks write to the embedded store when no
 * Cassandra is configured, which is what makes every example runnable with no servers).
 */
export function sinkWriter(node: SinkNode, context: SinkContext): SinkWriter {
  switch (node.target) {
    case 'memory': {
      const id = node.table ?? 'memory';
      return {
        id,
        node,
        write(rows) {
          if (context.plan) return;
          let table = context.memory.get(id);
          if (!table) context.memory.set(id, (table = new Map<string, unknown>()));
          for (const row of rows) table.set(rowKey(row), row);
        },
      };
    }
    case 'console':
      return { id: 'console', node, write: (rows) => rows.forEach((r) => context.log(JSON.stringify(r))) };
    case 'custom': {
      const write = node.write!.fn as (rows: readonly unknown[]) => void | Promise<void>;
      return { id: SinkNode.label(node), node, write: (rows) => (context.plan ? undefined : write(rows)) };
    }
    default:
      return tableSinkWriter(node, context);
  }
}

/**
 * A table sink: its rows become table ops, planned in a dry-run, else applied by the target's connector.
 * A system of record's rows are what the archive step handed on (`ArchivedEvent`): its events go as they
 * are, beside the ids the step took, to a writer that takes them so (`archive`), else as upserts.
 */
function tableSinkWriter(node: SinkNode, context: SinkContext): SinkWriter {
  const id = tableId(node);
  const { plan } = context;
  if (node.mode === 'system-of-record') {
    const write = plan
      ? (keys: readonly unknown[], events: readonly unknown[]) =>
          void plan.push({ sink: id, mode: node.mode, ops: archiveOps(keys, events) })
      : archiveWrite(context.targets.for(node).writer(node, context.pipeline));
    return { id, node, write: (rows) => write(...archivedColumns(node, rows as readonly ArchivedEvent[])) };
  }
  if (plan)
    return { id, node, write: (rows) => void plan.push({ sink: id, mode: node.mode, ops: rowsToOps(node, rows) }) };
  const table = context.targets.for(node).writer(node, context.pipeline);
  return { id, node, write: (rows) => table.write(rowsToOps(node, rows)) };
}

/** How a table writer stores a system of record's events under their keys: as they are, or as upserts. */
const archiveWrite =
  (table: TableWriter) =>
  (keys: readonly unknown[], events: readonly unknown[]): void | Promise<void> =>
    table.archive ? table.archive(keys, events) : table.write(archiveOps(keys, events));
