import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cassandra, sinks, source, tumbling } from 'idemflow';
import { PipelineNode } from '../../compiler/ir/index.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { idBucket, idHash, sorBucket } from '../../connectors/cassandra/sor-bucket.ts';
import { systemOfRecordEntries } from '../../connectors/cassandra/sor-reader.ts';
import { CassandraTableWriter } from '../../connectors/cassandra/table-writer.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repair, runLocal } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { archived, rowLayoutCql } from './archived.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

interface Reading {
  readonly eventId: string;
  readonly sensorId: string;
  readonly ts: unknown;
  readonly sentAt?: number;
}

const quiet = { log: () => {} };
const keyspace = 'idemflow_it';
const readings = (n: number): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: `e${i}`, sensorId: `s${i % 7}`, ts: 1_700_000_000_000 + i * 1_000 }));
/** The bucket rows got before this fix: a hash of the whole event, so one id with two payloads had two rows. */
const legacyBucket = (event: unknown) => `h${createHash('sha1').update(JSON.stringify(event)).digest()[0]! % 64}`;

describe('the system of record on Cassandra: one row per event id, whatever the event holds', () => {
  it('an event whose event time throws is dead-lettered and archived; the batch it is in and every other event still land', async () => {
    const table = `sor_badtime_${runId()}`;
    // One bad record in the middle of the second of three batches.
    const events = readings(2_500).map((e, i) => (i === 1_234 ? { ...e, ts: 'soon' } : e));
    const pipeline = source
      .memory(events)
      .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' }))
      .withEventTime((e) => {
        if (typeof e.ts !== 'number') throw new Error(`no time in ${e.eventId}`);
        return e.ts;
      })
      .window(tumbling({ minutes: 1 }))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory()).ir;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
      const store = new EmbeddedStore(tempDir());
      const result = await runLocal(pipeline, {
        store,
        targets: [cassandraConnector(client)],
        batchSize: 1_000,
        maxReplays: 2,
        ...quiet,
      });
      expect(result.deadLetters).toBe(1);
      // With Cassandra, dead letters go to dead_letters in the pipeline's keyspace.
      const letters = await selectAll(
        client,
        `SELECT reason FROM ${keyspace}.dead_letters WHERE position = 'memory#1234'`,
      );
      expect(letters).toEqual([{ reason: 'event time threw: no time in e1234' }]);
      const counted = [...result.memory.get('memory')!.values()].reduce<number>(
        (n, r) => n + (r as { value: number }).value,
        0,
      );
      expect(counted).toBe(2_499);
      const entries = await archived(client, keyspace, table);
      expect(entries.length).toBe(2_500);
      // 1_700_000_000_000 is 2023-11-14T22:13:20Z: the 10-minute slot from 22:10, one of 16 id buckets.
      expect(entries.find((r) => r.eventId === 'e1234')?.position.bucket).toBe(`no-time/b${idHash('e1234') % 16}`);
      expect(entries.find((r) => r.eventId === 'e0')?.position.bucket).toBe(`2023-11-14T22:10/b${idHash('e0') % 16}`);
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('an event without its id is a dead letter, left out of the aggregates; the batch it is in and every other event land', async () => {
    const table = `sor_noid_${runId()}`;
    const events: Partial<Reading>[] = readings(1_500).map((e, i) =>
      i === 700 ? { sensorId: e.sensorId, ts: e.ts } : i === 900 ? { ...e, eventId: '' } : e,
    );
    const pipeline = source
      .memory(events)
      .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' }))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory()).ir;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
      const result = await runLocal(pipeline, {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        batchSize: 1_000,
        maxReplays: 2,
        ...quiet,
      });
      expect(result.deadLetters).toBe(2);
      const letters = await selectAll(
        client,
        `SELECT position, reason FROM ${keyspace}.dead_letters WHERE position IN ('memory#700', 'memory#900')`,
      );
      expect(letters.map((l) => l.reason)).toEqual(['event id `eventId` is missing', 'event id `eventId` is missing']);
      expect((await archived(client, keyspace, table)).length).toBe(1_498);
      const counted = [...result.memory.get('memory')!.values()].reduce<number>(
        (n, r) => n + (r as { value: number }).value,
        0,
      );
      expect(counted).toBe(1_498);
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('one id delivered with two payloads is one row, as in the embedded store', async () => {
    const table = `sor_twice_${runId()}`;
    const first: Reading = { eventId: 'dup', sensorId: 's1', ts: 1_700_000_000_000, sentAt: 1 };
    // A producer's retry that stamps its own send time: same event, another payload, in another batch.
    const resent: Reading = { ...first, sentAt: 2 };
    expect(legacyBucket(first)).not.toBe(legacyBucket(resent));
    const events = [...readings(1_500).slice(0, 10), first, ...readings(1_500).slice(10), resent];
    const build = () =>
      source
        .memory(events)
        .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' }))
        .groupBy('sensorId')
        .count()
        .sink(sinks.memory()).ir;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(build()))) await client.execute(cql);
      await runLocal(build(), {
        store: new EmbeddedStore(tempDir()),
        targets: [cassandraConnector(client)],
        batchSize: 1_000,
        ...quiet,
      });
      const rows = await archived(client, keyspace, table);
      const dup = rows.filter((r) => r.eventId === 'dup');
      expect(dup.map((r) => r.event)).toEqual([resent]);
      expect(dup[0]!.position.bucket).toBe(`id/b${idHash('dup') % 64}`);

      const store = new EmbeddedStore(tempDir());
      await runLocal(build(), { store, ...quiet });
      expect(rows.length).toBe(store.table({ keyspace, table }).size);
      expect(rows.length).toBe(1_501);
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('a table of the row layout, written by the older bucketing: repair and the reader count each event once, the newest copy', async () => {
    const table = `sor_legacy_${runId()}`;
    const pipeline = source
      .memory<Reading>([])
      .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' }))
      .groupBy('sensorId')
      .count()
      .sink(
        cassandra.upsert({ keyspace, table: `${table}_counts`, key: { sensor: 'key' }, values: { n: 'value' } }),
      ).ir;
    const sor = PipelineNode.sinks(pipeline).find((s) => s.mode === 'system-of-record')!;
    /** A payload of `id` whose legacy bucket is neither its id bucket nor any in `avoid`. */
    const legacyCopy = (id: string, sensorId: string, avoid: string[] = []): Reading => {
      for (let sentAt = 0; ; sentAt++) {
        const e = { eventId: id, sensorId, ts: 1, sentAt };
        if (legacyBucket(e) !== idBucket(id) && !avoid.includes(legacyBucket(e))) return e;
      }
    };
    const client = await cassandraClient();
    try {
      // The system of record as an older version made it (a row an event); the counts as today.
      await client.execute(rowLayoutCql(keyspace, table));
      for (const cql of schemaCql(tableSchemas(pipeline).filter((s) => s.table !== table))) await client.execute(cql);
      const insertLegacy = (e: Reading) =>
        client.execute(
          `INSERT INTO ${keyspace}.${table} (bucket, event_id, payload) VALUES (?, ?, ?)`,
          [legacyBucket(e), e.eventId, JSON.stringify(e)],
          { prepare: true },
        );
      const x1 = legacyCopy('x', 's-old');
      const x2 = legacyCopy('x', 's-new', [legacyBucket(x1)]);
      await insertLegacy(x1);
      await insertLegacy(x2); // the newer of two legacy copies of one id
      const y1 = legacyCopy('y', 's-old');
      await insertLegacy(y1);
      const z = legacyCopy('z', 's-new');
      await insertLegacy(z);
      // Today's writer: 6,000 events (more than a page of the reader) and a replay of `y` with another payload.
      const writer = new CassandraTableWriter(
        client,
        sor,
        tableSchemas(pipeline).find((s) => s.table === table)!,
        sorBucket(pipeline),
      );
      const y2: Reading = { eventId: 'y', sensorId: 's-new', ts: 1 };
      await writer.write(rowsToOps(sor, [...readings(6_000), y2]));
      expect((await selectAll(client, `SELECT event_id FROM ${keyspace}.${table}`)).length).toBe(6_005);

      const read = new Map<string, unknown>();
      let entries = 0;
      for await (const { eventId, event } of systemOfRecordEntries(client, keyspace, table)) {
        entries++;
        read.set(eventId, event);
      }
      expect(entries).toBe(6_003);
      expect(read.get('x')).toEqual(x2);
      expect(read.get('y')).toEqual(y2);
      expect(read.get('z')).toEqual(z);

      const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
      expect(repaired.events).toBe(6_003);
      const counts = new Map(
        (await selectAll(client, `SELECT sensor, n FROM ${keyspace}.${table}_counts`)).map((r) => [r.sensor, r.n]),
      );
      expect(counts.get('s-new')).toBe(3);
      expect(counts.get('s-old')).toBeUndefined();
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
