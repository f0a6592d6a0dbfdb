import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import { cassandraCurrentRows } from '../../connectors/cassandra/current-rows.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { systemOfRecordPairs, type PairsRead } from '../../connectors/cassandra/sor-reader.ts';
import { repair } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { archiving, sorOf, writerOf, type Reading } from './archived.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';

const keyspace = 'idemflow_it';

/** Repair's read over as many passes as it takes: each id with its event, and how many passes it took. */
async function pairsRead(client: Client, table: string): Promise<{ events: Map<string, unknown>; passes: number }> {
  let events = new Map<string, unknown>();
  let passes = 0;
  let read: PairsRead | undefined = systemOfRecordPairs(client, keyspace, table);
  while (read) {
    passes++;
    events = new Map();
    for await (const [ids, decoded] of read.runs)
      ids.forEach((id, i) => {
        // Within a pass, each id comes once: the stream leaves out the copies it met again.
        expect(events.has(id)).toBe(false);
        events.set(id, decoded[i]);
      });
    read = await read.exact();
  }
  return { events, passes };
}

const at = (i: number, sensor = `s${i % 4}`): Reading => ({
  eventId: `e${i}`,
  sensorId: sensor,
  ts: 1_700_000_000_000 + i * 1_009,
});

/** Counts by sensor of what each id holds once every write landed (the last write of an id wins). */
function truthOf(...writes: (readonly Reading[])[]): Map<unknown, number> {
  const byId = new Map(writes.flat().map((e) => [e.eventId, e]));
  const counts = new Map<unknown, number>();
  for (const e of byId.values()) counts.set(e.sensorId, (counts.get(e.sensorId) ?? 0) + 1);
  return counts;
}

describe("repair's streamed read of a block-layout system of record", () => {
  it('copies of an id that differ, in both orders of their blocks: the copy written last wins, at most one pass more', async () => {
    const client = await cassandraClient();
    const passes: number[] = [];
    try {
      // The same two writes in both orders: the blocks (and their keys, so their order in a partition) are
      // the same, only which is newer changes. In one order the stream passes on the older copy of e200 first.
      const first = Array.from({ length: 400 }, (_, i) => at(i));
      const replay = Array.from({ length: 400 }, (_, i) => (i === 0 ? at(200, 'moved') : at(200 + i)));
      for (const writes of [
        [first, replay],
        [replay, first],
      ]) {
        const table = `sor_stream_${runId()}`;
        const pipeline = archiving(table);
        const writer = await writerOf(client, pipeline);
        for (const events of writes) await writer.write(rowsToOps(sorOf(pipeline), events));
        const last = new Map(writes.flat().map((e) => [e.eventId, e]));
        const read = await pairsRead(client, table);
        expect(read.events).toEqual(last);
        passes.push(read.passes);
        const lookup = await cassandraCurrentRows(client, pipeline, new Set([`${keyspace}.${table}`]));
        expect(lookup.get(`${keyspace}.${table}`)!(['e200'])).toEqual({ payload: last.get('e200') });
        const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(result.events).toBe(600);
        const counts = await selectAll(client, `SELECT sensor, n FROM ${keyspace}.${table}_n`);
        expect(new Map(counts.map((r) => [r.sensor, Number(r.n)]))).toEqual(truthOf(...writes));
      }
      expect(passes.sort()).toEqual([1, 2]);
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('a block that fails to decode while later queries are in flight: a repair told to refuse stops before writing', async () => {
    const table = `sor_stream_bad_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      const writer = await writerOf(client, pipeline);
      // Many partitions (a day of 10-minute slots), so the bad block is met with token ranges still to read.
      const events = Array.from({ length: 5_000 }, (_, i) => ({ ...at(i), ts: 1_700_000_000_000 + i * 17_000 }));
      await writer.write(rowsToOps(sorOf(pipeline), events));
      const [victim] = await selectAll(client, `SELECT bucket FROM ${keyspace}.${table} LIMIT 1`);
      await client.execute(
        `INSERT INTO ${keyspace}.${table} (bucket, block, n, bytes, events) VALUES (?, ?, ?, ?, ?)`,
        [victim!.bucket, '0-not-json', 1, 9, deflateRawSync('[["e-bad",')],
        { prepare: true },
      );
      const refuse = (error: Error) => {
        throw new Error(`refused: ${error.message}`);
      };
      const target = cassandraRepairTarget(client, pipeline, { onBadBlock: refuse });
      await expect(repair(pipeline, { target })).rejects.toThrow(
        `refused: block (bucket '${String(victim!.bucket)}', block '0-not-json') does not decode`,
      );
      expect(await selectAll(client, `SELECT sensor FROM ${keyspace}.${table}_n`)).toEqual([]);
      // Told to go on, it counts every other event once.
      const skipped: string[] = [];
      const going = cassandraRepairTarget(client, pipeline, { onBadBlock: (e) => void skipped.push(e.block) });
      expect((await repair(pipeline, { target: going })).events).toBe(5_000);
      expect(skipped).toEqual(['0-not-json']);
    } finally {
      await client.shutdown();
    }
  }, 120_000);
});
