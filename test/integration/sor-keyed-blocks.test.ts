import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cassandra, source } from 'idemflow';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { SorBlockWriter } from '../../connectors/cassandra/sor-block-writer.ts';
import { sorBucket } from '../../connectors/cassandra/sor-bucket.ts';
import { repair } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { archived, archiving, countsBySensor, sorOf, writerOf, type Reading, sensorCounts } from './archived.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';

const keyspace = 'idemflow_it';
type Client = Awaited<ReturnType<typeof cassandraClient>>;

const at = (i: number, sensor = `s${i % 5}`): Reading => ({
  eventId: `e${i}`,
  sensorId: sensor,
  ts: 1_700_000_000_000 + i * 997,
});

/** How each stored block begins once inflated: `{` for a block keyed by the id field, `[` for [id, event] pairs. */
async function formsOf(client: Client, table: string): Promise<Set<string>> {
  const rows = await selectAll(client, `SELECT events FROM ${keyspace}.${table}`);
  return new Set(rows.map((r) => inflateRawSync(r.events as Buffer).toString('utf8')[0]!));
}

describe('blocks keyed by the id field, beside blocks of [id, event] pairs', () => {
  it('an archive with id: <field> stores each id once; a replay written as pairs is read and repaired once', async () => {
    const table = `sor_keyed_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      const first = Array.from({ length: 1_000 }, (_, i) => at(i));
      await (await writerOf(client, pipeline)).write(rowsToOps(sorOf(pipeline), first));
      expect(await formsOf(client, table)).toEqual(new Set(['{']));
      // The replay cut differently, as an id function (or an idemflow before keyed blocks) writes it; e700 moved.
      const replay = Array.from({ length: 1_000 }, (_, i) => (i === 200 ? at(700, 'moved') : at(500 + i)));
      const ids = replay.map((e) => e.eventId);
      const buckets = replay.map((e) => sorBucket(pipeline).block(e, e.eventId));
      await new SorBlockWriter(client, keyspace, table).write({ ids, events: replay, buckets });
      expect(await formsOf(client, table)).toEqual(new Set(['{', '[']));
      const read = await archived(client, keyspace, table);
      expect(read.length).toBe(1_500);
      expect(read.find((e) => e.eventId === 'e700')?.event).toEqual(at(700, 'moved'));
      const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
      expect(result.events).toBe(1_500);
      const truth = new Map([...first.slice(0, 500), ...replay].map((e) => [e.eventId, e]));
      expect(await sensorCounts(client, `${table}_n`)).toEqual(countsBySensor(truth.values()));
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('an archive whose id is a function stores pairs, read back exactly', async () => {
    const table = `sor_fnid_${runId()}`;
    const client = await cassandraClient();
    try {
      const events = Array.from({ length: 800 }, (_, i) => at(i));
      const pipeline = source
        .memory<Reading>(events)
        .archive(cassandra.systemOfRecord({ keyspace, table, id: (e) => `${e.eventId}` }))
        .withEventTime((e) => e.ts)
        .groupBy('sensorId')
        .count()
        .sink(cassandra.upsert({ keyspace, table: `${table}_n`, key: { sensor: 'key' }, values: { n: 'value' } })).ir;
      await (await writerOf(client, pipeline)).write(rowsToOps(sorOf(pipeline), events));
      expect(await formsOf(client, table)).toEqual(new Set(['[']));
      expect(new Map((await archived(client, keyspace, table)).map((e) => [e.eventId, e.event]))).toEqual(
        new Map(events.map((e) => [e.eventId, e])),
      );
    } finally {
      await client.shutdown();
    }
  }, 60_000);
});
