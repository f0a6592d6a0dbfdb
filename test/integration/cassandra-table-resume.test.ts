import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cassandra, embedded, sinks, source } from 'idemflow';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { sorBucket } from '../../connectors/cassandra/sor-bucket.ts';
import type { SorPosition } from '../../connectors/cassandra/sor-reader.ts';
import { CassandraTableWriter } from '../../connectors/cassandra/table-writer.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runLocal } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId } from './servers.ts';
import { archived } from './archived.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

interface Ev {
  readonly eventId: string;
  readonly sensorId: string;
}

const quiet = { log: () => {} };
const keyspace = 'idemflow_it';
const ev = (eventId: string): Ev => ({ eventId, sensorId: `s${eventId.length % 3}` });

/** Counts each event id it reads, across a stop and a resume (the count is checkpointed state). */
const readsOf = (table: string) =>
  source
    .cassandraTable({ keyspace, table })
    .groupBy((e) => (e as Ev).eventId)
    .count()
    .sink(embedded.upsert({ table: 'reads', key: { id: 'key' }, values: { n: 'value' } })).ir;

/** Read order: token, then bucket, then event id. */
const isAhead = (row: { t: bigint; bucket: string; id: string }, p: SorPosition) =>
  row.t > BigInt(p.token) || (row.t === BigInt(p.token) && row.bucket === p.bucket && row.id > p.eventId);

describe('source.cassandraTable resumes after the last row read, while the table grows', () => {
  it('rows inserted between a stop and a resume: every row there before is read exactly once; new rows ahead once, behind never', async () => {
    const table = `sor_grow_${runId()}`;
    const archive = source
      .memory<Ev>([])
      .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' }))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory()).ir;
    const sor = PipelineNode.sinks(archive).find((s) => s.mode === 'system-of-record')!;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(archive))) await client.execute(cql);
      const writer = new CassandraTableWriter(
        client,
        sor,
        tableSchemas(archive).find((s) => s.table === table)!,
        sorBucket(archive),
      );
      const first = Array.from({ length: 6_000 }, (_, i) => ev(`e${i}`));
      await writer.write(rowsToOps(sor, first));

      const store = new EmbeddedStore(tempDir());
      const checkpointDir = tempDir();
      const stopped = await runLocal(readsOf(table), {
        store,
        targets: [cassandraConnector(client)],
        checkpointDir,
        batchSize: 500,
        maxRecords: 2_500,
        ...quiet,
      });
      expect(stopped.stopped).toBe('max-records');
      const checkpointAtStop = readFileSync(join(checkpointDir, 'checkpoint.json'), 'utf8');

      // 3,600 new rows over every bucket: `n…` after every `e…` id of a partition, `a…` before them.
      const inserted = [
        ...Array.from({ length: 3_000 }, (_, i) => ev(`n${i}`)),
        ...Array.from({ length: 600 }, (_, i) => ev(`a${i}`)),
      ];
      await writer.write(rowsToOps(sor, inserted));

      const resumed = await runLocal(readsOf(table), {
        store,
        targets: [cassandraConnector(client)],
        checkpointDir,
        batchSize: 500,
        ...quiet,
      });
      const reads = new Map(
        store
          .table({ table: 'reads' })
          .rows()
          .map((r) => [String(r.key[0]), Number(r.columns.n)]),
      );
      for (const e of first) expect(reads.get(e.eventId), e.eventId).toBe(1);

      const cursor = (JSON.parse(checkpointAtStop) as { position: SorPosition }).position;
      // Tokens as exact integers, as the reader gives them.
      const rows = (await archived(client, keyspace, table)).map((e) => ({
        t: BigInt(e.position.token),
        bucket: e.position.bucket,
        id: e.eventId,
      }));
      const fresh = rows.filter((r) => !r.id.startsWith('e'));
      const ahead = fresh.filter((r) => isAhead(r, cursor));
      expect(ahead.length).toBeGreaterThan(0);
      expect(fresh.length - ahead.length).toBeGreaterThan(0);
      // Some in the cursor's own partition, before its event id (600 `a…` ids over 64 buckets).
      expect(fresh.filter((r) => r.bucket === cursor.bucket && r.id < cursor.eventId).length).toBeGreaterThan(0);
      for (const r of fresh) expect(reads.get(r.id), r.id).toBe(isAhead(r, cursor) ? 1 : undefined);
      expect(resumed.recordsIn).toBe(first.length - stopped.recordsIn + ahead.length);
    } finally {
      await client.shutdown();
    }
  }, 180_000);
});
