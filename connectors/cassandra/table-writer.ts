import type { Client } from 'cassandra-driver';
import type { SinkNode } from '../../compiler/ir/index.ts';
import type { TableOp } from '../embedded/table-log.ts';
import type { CqlType, TableSchema } from './cql-schema.ts';

/** JS values as the column's CQL type expects them: the driver binds them; nothing is spliced into CQL. */
function toCql(value: unknown, type: CqlType): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'timestamp':
      return value instanceof Date ? value : new Date(Number(value));
    case 'bigint':
    case 'counter':
    case 'double':
      return Number(value);
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** How many statements are in flight at once: enough to keep a node busy, few enough not to overload it. */
const concurrency = 64;

async function runBounded<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * Writes a sink's ops to its Cassandra table with prepared statements.
 * Upserts are marked idempotent (the driver may retry them); counter updates
 * are not (the driver never retries them on a write timeout; only the
 * application's own retries can double them, which is what IDEM001 is about).
 */
export class CassandraTableWriter {
  readonly #keyColumns: readonly { name: string; type: CqlType }[];
  readonly #upsertCql: string;
  readonly #counterCql: string | undefined;

  constructor(
    readonly client: Client,
    readonly sink: SinkNode,
    readonly schema: TableSchema,
    /** For a system of record: the partition bucket of an event. */
    readonly bucketOf?: (event: unknown) => string,
  ) {
    this.#keyColumns = [...schema.partitionKey, ...schema.clustering];
    const where = this.#keyColumns.map((c) => `${c.name} = ?`).join(' AND ');
    this.#upsertCql = `UPDATE ${schema.keyspace}.${schema.table} SET ${schema.columns.map((c) => `${c.name} = ?`).join(', ')} WHERE ${where}`;
    const counter = schema.columns.find((c) => c.type === 'counter');
    this.#counterCql = counter ? `UPDATE ${schema.keyspace}.${schema.table} SET ${counter.name} = ${counter.name} + ? WHERE ${where}` : undefined;
  }

  async write(ops: readonly TableOp[]): Promise<void> {
    await runBounded(ops, (op) => {
      if (op.op === 'add') {
        const params = [op.d, ...op.k.map((v, i) => toCql(v, this.#keyColumns[i]!.type))];
        return this.client.execute(this.#counterCql!, params, { prepare: true, isIdempotent: false });
      }
      const key = this.sink.mode === 'system-of-record' ? [this.bucketOf?.(op.v.payload) ?? 'all', op.k[0]] : op.k;
      const values = this.schema.columns.map((c) => toCql(op.v[c.name], c.type));
      return this.client.execute(this.#upsertCql, [...values, ...key.map((v, i) => toCql(v, this.#keyColumns[i]!.type))], { prepare: true, isIdempotent: true });
    });
  }
}
