import type { Client } from 'cassandra-driver';
import { SinkNode, type PipelineNode } from '../../compiler/ir/index.ts';
import type { TableOp } from '../../runtime/sinks/table-op.ts';
import { storedId } from '../../runtime/stored-id.ts';
import { tableSchemas, type CqlType, type TableSchema } from './cql-schema.ts';
import { routingKey } from './routing-key.ts';
import { runBounded } from './run-bounded.ts';
import { SorBlockWriter } from './sor-block-writer.ts';
import { bucketById, idHash, sorBucket, type SorBucketing } from './sor-bucket.ts';
import { isBlockLayout, newSorLayout, sorLayout, type SorLayout } from './sor-layout.ts';

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
    case 'blob':
      return value;
  }
}

/** Single statements in flight at once: enough to keep a node busy, few enough not to overload it. */
const statementLanes = 64;
/** Batches in flight at once (each up to `batchStatements` rows). */
const batchLanes = 16;
/**
 * An unlogged batch holds at most this many upserts and about this many
 * bytes: it saves Cassandra (and the driver) the per-request work, and
 * stays under Cassandra's batch size warning (5 KiB by default; 50 KiB fails).
 */
const batchStatements = 100;
const batchBytes = 4 * 1024;
/** What a row weighs in Cassandra's count beyond its values (cell and row headers, timestamps): measured ≈ 55–60 bytes. */
const rowOverhead = 72;

/** Roughly what a row weighs in a batch as Cassandra counts it: enough to keep batches under the warning size. */
function rowSize(values: readonly unknown[]): number {
  let bytes = rowOverhead;
  for (const v of values) bytes += typeof v === 'string' ? Buffer.byteLength(v) : 8;
  return bytes;
}

interface Upsert {
  readonly params: readonly unknown[];
  /** The serialized partition key, to group upserts by the replica that owns them. */
  readonly partition: Buffer | undefined;
}

/**
 * Writes a sink's ops to its Cassandra table with prepared statements.
 * Upserts are marked idempotent (the driver may retry them) and sent in
 * unlogged batches per replica. A system of record is written in the
 * layout its table has (sor-layout.ts): blocks, or a row an event in a
 * table made by an older version. Counter updates
 * are not (the driver never retries them on a write timeout; only the
 * application's own retries can double them, which is what IDEM001 is about).
 */
export class CassandraTableWriter {
  readonly #keyColumns: readonly { name: string; type: CqlType }[];
  readonly #columns: readonly { name: string; type: CqlType }[];
  readonly #upsertCql: string;
  readonly #counterCql: string | undefined;
  #sorLayout: Promise<SorLayout> | undefined;
  #blocks: SorBlockWriter | undefined;

  constructor(
    readonly client: Client,
    readonly sink: SinkNode,
    readonly schema: TableSchema,
    /** For a system of record: the partition bucket of an event, in each layout. */
    readonly bucketOf: SorBucketing = bucketById,
  ) {
    // A system of record written a row an event has the columns of the row layout.
    const rows = sink.mode === 'system-of-record';
    this.#keyColumns = rows
      ? [
          { name: 'bucket', type: 'text' },
          { name: 'event_id', type: 'text' },
        ]
      : [...schema.partitionKey, ...schema.clustering];
    this.#columns = rows ? [{ name: 'payload', type: 'text' }] : schema.columns;
    const where = this.#keyColumns.map((c) => `${c.name} = ?`).join(' AND ');
    this.#upsertCql = `UPDATE ${schema.keyspace}.${schema.table} SET ${this.#columns.map((c) => `${c.name} = ?`).join(', ')} WHERE ${where}`;
    const counter = schema.columns.find((c) => c.type === 'counter');
    this.#counterCql = counter
      ? `UPDATE ${schema.keyspace}.${schema.table} SET ${counter.name} = ${counter.name} + ? WHERE ${where}`
      : undefined;
  }

  /**
   * A system of record's events, the i-th stored under the i-th key: a
   * block-layout table takes them as they are, with no op an event; a table
   * of the row layout (an older version's) as upserts.
   */
  async archive(keys: readonly unknown[], events: readonly unknown[]): Promise<void> {
    const layout = await this.#layout();
    if (isBlockLayout(layout)) return this.#writeBlocks(keys, events, layout as Exclude<SorLayout, 'rows'>);
    return this.write(keys.map((k, i) => ({ op: 'upsert', k: [k], v: { payload: events[i] } })));
  }

  async write(ops: readonly TableOp[]): Promise<void> {
    if (this.sink.mode === 'system-of-record') {
      const layout = await this.#layout();
      if (isBlockLayout(layout)) {
        const upserts = ops.filter((op) => op.op === 'upsert');
        const [keys, events] = [upserts.map((op) => op.k[0]), upserts.map((op) => op.v.payload)];
        return this.#writeBlocks(keys, events, layout as Exclude<SorLayout, 'rows'>);
      }
    }
    const counters: Extract<TableOp, { op: 'add' }>[] = [];
    // The last upsert of a primary key is the one that counts (each sets every column): in one unlogged
    // batch, statements share a timestamp and Cassandra would break the tie by value, not by order.
    const upserts = new Map<string, Upsert>();
    for (const op of ops) {
      if (op.op === 'add') {
        counters.push(op);
        continue;
      }
      const key = this.sink.mode === 'system-of-record' ? this.#sorKey(op) : op.k;
      const keyValues = key.map((v, i) => toCql(v, this.#keyColumns[i]!.type));
      const values = this.#columns.map((c) => toCql(op.v[c.name], c.type));
      // A system of record's rows by event id alone: an id's copy of another day (its event time differs) is
      // an earlier copy too, else both rows are sent side by side and the one landing last is the one read.
      const id = this.sink.mode === 'system-of-record' ? String(keyValues[1]) : JSON.stringify(keyValues);
      upserts.delete(id);
      upserts.set(id, {
        params: [...values, ...keyValues],
        partition: routingKey(keyValues[0], this.#keyColumns[0]!.type),
      });
    }
    // Counter updates one by one, never batched: a resent batch would add every delta in it again.
    await Promise.all([
      runBounded(counters, statementLanes, (op) => {
        const params = [op.d, ...op.k.map((v, i) => toCql(v, this.#keyColumns[i]!.type))];
        return this.client.execute(this.#counterCql!, params, { prepare: true, isIdempotent: false });
      }),
      runBounded(this.#batches([...upserts.values()]), batchLanes, (batch) =>
        batch.length === 1
          ? this.client.execute(this.#upsertCql, batch[0]!.params as unknown[], { prepare: true, isIdempotent: true })
          : this.client.batch(
              batch.map((u) => ({ query: this.#upsertCql, params: u.params as unknown[] })),
              { prepare: true, logged: false, isIdempotent: true },
            ),
      ),
    ]);
  }

  /** A row-layout system-of-record row's key: its bucket (of the id as stored, text), then the event id. */
  #sorKey(op: Extract<TableOp, { op: 'upsert' }>): unknown[] {
    const eventId = storedId(op.k[0]);
    return [this.bucketOf.row(op.v.payload, eventId), eventId];
  }

  /**
   * The table's layout, read once it is known; a table not made yet is taken
   * as the layout a new table gets (the write then names it missing) and looked at again next
   * time, as after a failed look (a retried write must not inherit it).
   */
  #layout(): Promise<SorLayout> {
    this.#sorLayout ??= sorLayout(this.client, this.schema.keyspace, this.schema.table).then(
      (layout) => {
        if (!layout) this.#sorLayout = undefined;
        return layout ?? newSorLayout;
      },
      (error: unknown) => {
        this.#sorLayout = undefined;
        throw error;
      },
    );
    return this.#sorLayout;
  }

  /** A system of record's events as blocks, by the id as stored (text), each with its partition. */
  #writeBlocks(
    keys: readonly unknown[],
    events: readonly unknown[],
    layout: Exclude<SorLayout, 'rows'>,
  ): Promise<void> {
    if (this.#blocks?.layout !== layout) {
      const { keyspace, table } = this.schema;
      this.#blocks = new SorBlockWriter(this.client, keyspace, table, undefined, undefined, layout);
    }
    // Ids and partitions side by side with the events, no object an event: each is encoded once, with its block.
    // Each id's hash made once: it picks the partition, then orders the block (blockOrder).
    const ids = new Array<string>(keys.length);
    const hashes = new Uint32Array(keys.length);
    const buckets = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const id = (ids[i] = storedId(keys[i]));
      buckets[i] = this.bucketOf.block(events[i], id, (hashes[i] = idHash(id)));
    }
    // Events that hold their id in a field are stored keyed by it: each id once (encodeBlocksAt).
    const idField = this.sink.id?.from.type === 'field' ? this.sink.id.from.field : undefined;
    return this.#blocks.write({ ids, events, buckets, hashes, idField });
  }

  /**
   * Upserts in unlogged batches of the rows one replica owns (by the
   * partition key's token), so that the coordinator the driver picks for a
   * batch is the replica of all its rows and nothing fans out across the
   * cluster. Idempotent like the upserts in them: a resent batch changes nothing.
   */
  #batches(upserts: readonly Upsert[]): Upsert[][] {
    const byReplica = new Map<string, Upsert[]>();
    for (const u of upserts) {
      const replica = u.partition
        ? this.client.getReplicas(this.schema.keyspace, u.partition)?.[0]?.address
        : undefined;
      const id = replica ?? 'unknown';
      let group = byReplica.get(id);
      if (!group) byReplica.set(id, (group = []));
      group.push(u);
    }
    const batches: Upsert[][] = [];
    for (const group of byReplica.values()) {
      let batch: Upsert[] = [];
      let bytes = 0;
      for (const u of group) {
        const size = rowSize(u.params);
        if (batch.length > 0 && (batch.length >= batchStatements || bytes + size > batchBytes)) {
          batches.push(batch);
          batch = [];
          bytes = 0;
        }
        batch.push(u);
        bytes += size;
      }
      if (batch.length > 0) batches.push(batch);
    }
    return batches;
  }
}

/** The writer of one of `pipeline`'s Cassandra sinks: its table's schema as the pipeline makes it, its archive's partitions. */
export function tableWriterOf(client: Client, sink: SinkNode, pipeline: PipelineNode): CassandraTableWriter {
  const schema = tableSchemas(pipeline).find((s) => s.keyspace === sink.keyspace && s.table === sink.table);
  if (!schema) throw new Error(`no schema for ${SinkNode.label(sink)}`);
  return new CassandraTableWriter(client, sink, schema, sorBucket(pipeline));
}
