import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Client } from 'cassandra-driver';
import { cassandra, source } from 'idemflow';
import { PipelineNode, type SinkNode } from '../../compiler/ir/index.ts';
import { schemaCql, tableSchemas, type CqlType } from '../../connectors/cassandra/cql-schema.ts';
import { routingKey } from '../../connectors/cassandra/routing-key.ts';
import { CassandraTableWriter } from '../../connectors/cassandra/table-writer.ts';
import { blockBytes } from '../../connectors/cassandra/sor-blocks.ts';
import type { SorBucketing } from '../../connectors/cassandra/sor-bucket.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { cassandra as cassandraServer } from '../../scripts/servers/cassandra.ts';
import { paths } from '../../scripts/servers/service.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { archived, rowLayoutCql } from './archived.ts';

async function writerFor(
  client: Client,
  sink: SinkNode,
  pipeline: PipelineNode,
  bucketOf?: SorBucketing,
): Promise<CassandraTableWriter> {
  const schemas = tableSchemas(pipeline);
  for (const cql of schemaCql(schemas)) await client.execute(cql);
  return new CassandraTableWriter(
    client,
    sink,
    schemas.find((s) => s.table === sink.table)!,
    bucketOf,
  );
}

/** A pipeline that archives events carrying a blob into `table`, and its system-of-record sink. */
function archiving(table: string): { pipeline: PipelineNode; archive: SinkNode } {
  const pipeline = source
    .memory<{ eventId: string; blob: string }>([])
    .archive(cassandra.systemOfRecord({ keyspace: 'idemflow_it', table, id: 'eventId' }))
    .sink(
      cassandra.upsert({
        keyspace: 'idemflow_it',
        table: `${table}_rows`,
        key: { id: 'eventId' },
        values: { blob: 'blob' },
      }),
    ).ir;
  return { pipeline, archive: PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')! };
}

/** Cassandra's warnings about batches written to a table (its log is the one `scripts/services` keeps). */
const batchWarnings = (table: string) =>
  readFileSync(paths(cassandraServer).log, 'utf8')
    .split('\n')
    .filter((line) => line.includes('Batch for') && line.includes(`.${table}]`));

describe('Cassandra table writer (real server)', () => {
  it('computes the partition token Cassandra computes, for every key type, so batches follow the replica that owns their rows', async () => {
    const client = await cassandraClient();
    try {
      const samples: Record<Exclude<CqlType, 'counter'>, unknown[]> = {
        text: ['sensor-1', 'ʕ•ᴥ•ʔ', 'a'],
        bigint: [0, 42, -7, 2 ** 40],
        timestamp: [new Date(0), new Date(Date.UTC(2024, 0, 1)), new Date(-86_400_000)],
        double: [0.5, -1e9, 3],
        blob: [Buffer.from('ʕ•ᴥ•ʔ'), Buffer.from([0, 1, 255])],
      };
      for (const [type, values] of Object.entries(samples) as [CqlType, unknown[]][]) {
        const table = `idemflow_it.routing_${type}_${runId()}`;
        await client.execute(`CREATE TABLE ${table} (k ${type} PRIMARY KEY)`);
        for (const v of values) await client.execute(`INSERT INTO ${table} (k) VALUES (?)`, [v], { prepare: true });
        const rows = await client.execute(`SELECT k, token(k) AS t FROM ${table}`);
        expect(rows.rowLength).toBe(values.length);
        for (const row of rows.rows) {
          const key = routingKey(type === 'bigint' ? Number(row.get('k')) : row.get('k'), type);
          expect(key, `${type} ${String(row.get('k'))}`).toBeDefined();
          expect(client.metadata.newToken(key!).getValue().toString(), `${type} ${String(row.get('k'))}`).toBe(
            row.get('t').toString(),
          );
        }
      }
    } finally {
      await client.shutdown();
    }
  });

  it('in one write, the last upsert of a key wins, though a batch gives its statements one timestamp', async () => {
    const client = await cassandraClient();
    try {
      const pipeline = source.memory<{ id: string; v: number }>([]).sink(
        cassandra.upsert({
          keyspace: 'idemflow_it',
          table: `last_wins_${runId()}`,
          key: { id: 'id' },
          values: { v: 'v' },
        }),
      ).ir;
      const writer = await writerFor(client, pipeline.sink, pipeline);
      // On a tie of timestamps Cassandra keeps the greater value: 9 would win for `a` if both landed in one batch.
      const rows = [
        { id: 'a', v: 9 },
        ...Array.from({ length: 50 }, (_, i) => ({ id: `k${i}`, v: i })),
        { id: 'b', v: 1 },
        { id: 'a', v: 1 },
        { id: 'b', v: 9 },
      ];
      await writer.write(rowsToOps(pipeline.sink, rows));
      const stored = new Map(
        (await selectAll(client, `SELECT id, v FROM idemflow_it.${pipeline.sink.table}`)).map((r) => [r.id, r.v]),
      );
      expect(stored.size).toBe(52);
      expect(stored.get('a')).toBe('1');
      expect(stored.get('b')).toBe('9');
      expect(stored.get('k49')).toBe('49');
      expect(batchWarnings(pipeline.sink.table!)).toEqual([]);
    } finally {
      await client.shutdown();
    }
  });

  it("a system of record of the row layout keeps batches under Cassandra's batch size warning: 300 events of 1 KiB over 10 partitions all land, with no warning", async () => {
    const client = await cassandraClient();
    try {
      const table = `sor_large_${runId()}`;
      const { pipeline, archive } = archiving(table);
      // A table an older version made: written a row an event, in unlogged batches.
      await client.execute(rowLayoutCql('idemflow_it', table));
      const tenWays = (e: unknown) => `b${Number((e as { eventId: string }).eventId.slice(1)) % 10}`;
      const writer = await writerFor(client, archive, pipeline, { row: tenWays, block: tenWays });
      const events = Array.from({ length: 300 }, (_, i) => ({ eventId: `e${i}`, blob: String(i % 10).repeat(1_024) }));
      // Unbounded, the 100-row batches would weigh about 100 KiB over several partitions: Cassandra refuses those over 50 KiB.
      await writer.write(rowsToOps(archive, events));
      const stored = await selectAll(client, `SELECT event_id, payload FROM idemflow_it.${table}`);
      expect(stored.length).toBe(300);
      expect(new Set(stored.map((r) => JSON.parse(String(r.payload)).eventId)).size).toBe(300);
      expect(batchWarnings(table)).toEqual([]);
    } finally {
      await client.shutdown();
    }
  });

  it('a system of record of the block layout: a block per partition and batch, none over 256 KiB, no batch warning; every event reads back once', async () => {
    const client = await cassandraClient();
    try {
      const table = `sor_blocks_${runId()}`;
      const { pipeline, archive } = archiving(table);
      // 300 small partitions' worth over 10 buckets, and 600 KiB of events in one bucket: more than two blocks hold.
      const bucket = (e: unknown) => {
        const id = (e as { eventId: string }).eventId;
        return id.startsWith('x') ? 'big' : `b${Number(id.slice(1)) % 10}`;
      };
      const writer = await writerFor(client, archive, pipeline, { row: bucket, block: bucket });
      const events = [
        ...Array.from({ length: 300 }, (_, i) => ({ eventId: `e${i}`, blob: String(i % 10).repeat(1_024) })),
        ...Array.from({ length: 600 }, (_, i) => ({ eventId: `x${i}`, blob: 'ʕ•ᴥ•ʔ'.repeat(200) })),
      ];
      await writer.write(rowsToOps(archive, events));
      const blocks = await selectAll(client, `SELECT bucket, n, bytes FROM idemflow_it.${table}`);
      const small = blocks.filter((b) => b.bucket !== 'big');
      expect(small.length).toBe(10);
      expect(small.every((b) => b.n === 30)).toBe(true);
      const big = blocks.filter((b) => b.bucket === 'big');
      expect(big.length).toBeGreaterThanOrEqual(3);
      expect(big.reduce((n, b) => n + Number(b.n), 0)).toBe(600);
      for (const b of blocks) expect(Number(b.bytes)).toBeLessThanOrEqual(blockBytes);
      const read = await archived(client, 'idemflow_it', table);
      expect(read.length).toBe(900);
      expect(new Map(read.map((r) => [r.eventId, r.event]))).toEqual(new Map(events.map((e) => [e.eventId, e])));
      expect(batchWarnings(table)).toEqual([]);
    } finally {
      await client.shutdown();
    }
  });
});
