import { SinkNode } from '../../compiler/ir/index.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { tableName } from '../../connectors/embedded/store.ts';
import type { TableOp } from '../../connectors/embedded/table-log.ts';
import type { Client } from 'cassandra-driver';
import type { TableSchema } from '../../connectors/cassandra/cql-schema.ts';
import type { SorBucketing } from '../../connectors/cassandra/sor-bucket.ts';
import { CassandraTableWriter } from '../../connectors/cassandra/table-writer.ts';
import { rowsToOps } from './table-ops.ts';

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

/** A live Cassandra session and the tables the pipeline writes: when present, Cassandra sinks write there. */
export interface CassandraTarget {
  readonly client: Client;
  readonly schemas: readonly TableSchema[];
  readonly bucketOf: SorBucketing;
}

export interface SinkContext {
  readonly store: EmbeddedStore;
  readonly cassandra?: CassandraTarget;
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
 * The writer for a sink. Cassandra sinks write to the embedded store when no
 * Cassandra is configured (same table names, same semantics), which is what
 * makes every example runnable with no servers.
 */
export function sinkWriter(node: SinkNode, context: SinkContext): SinkWriter {
  switch (node.target) {
    case 'cassandra':
      if (context.cassandra && !context.plan) return cassandraWriter(node, context.cassandra);
    // falls through: without a Cassandra, the embedded store stands in for it
    case 'embedded': {
      const ref = { keyspace: node.keyspace, table: node.table ?? 'unnamed' };
      const id = tableName(ref);
      return {
        id,
        node,
        write(rows) {
          const ops = rowsToOps(node, rows);
          if (context.plan) context.plan.push({ sink: id, mode: node.mode, ops });
          else context.store.table(ref).write(ops);
        },
      };
    }
    case 'memory': {
      const id = node.table ?? 'memory';
      return {
        id,
        node,
        write(rows) {
          if (context.plan) return;
          let table = context.memory.get(id);
          if (!table) context.memory.set(id, (table = new Map()));
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
  }
}

function cassandraWriter(node: SinkNode, target: CassandraTarget): SinkWriter {
  const schema = target.schemas.find((s) => s.keyspace === node.keyspace && s.table === node.table);
  if (!schema) throw new Error(`no schema for ${SinkNode.label(node)}`);
  const writer = new CassandraTableWriter(target.client, node, schema, target.bucketOf);
  return { id: `${node.keyspace}.${node.table}`, node, write: (rows) => writer.write(rowsToOps(node, rows)) };
}
