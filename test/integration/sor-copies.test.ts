import { describe, expect, it } from 'vitest';
import type { Client } from 'cassandra-driver';
import type { PipelineNode } from '../../compiler/ir/index.ts';
import { cassandraCurrentRows } from '../../connectors/cassandra/current-rows.ts';
import { sorTableCql } from '../../connectors/cassandra/sor-layout.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { cassandraTableSource } from '../../connectors/cassandra/table-source.ts';
import { repair } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { CopyHashes, tokenWords } from '../../connectors/cassandra/sor-copy-hashes.ts';
import {
  archived,
  archiving,
  countsBySensor,
  rowLayoutCql,
  sorOf,
  writerOf,
  type Reading,
  sensorCounts,
} from './archived.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';

const keyspace = 'idemflow_it';

/** The archive's writer as its stream uses it: events in, blocks (or rows) out. */
async function archiver(client: Client, pipeline: PipelineNode) {
  const writer = await writerOf(client, pipeline);
  return (events: readonly Reading[]) => writer.write(rowsToOps(sorOf(pipeline), events));
}

/** What each id holds once every write landed: the last one written (an upsert keyed by event id). */
const lastWritten = (...writes: (readonly Reading[])[]) => new Map(writes.flat().map((e) => [e.eventId, e]));

/** Everything `source.cassandraTable` reads from the table, a few hundred at a time. */
async function sourced(client: Client, table: string): Promise<unknown[]> {
  const reader = cassandraTableSource(client, keyspace, table, undefined);
  const values: unknown[] = [];
  for (;;) {
    const batch = await reader.read(333);
    values.push(...batch.values);
    if (batch.done) break;
  }
  await reader.close();
  return values;
}

/** Every reader of the archive sees each id once, with the payload written last; repair counts that one. */
async function expectEachIdOnce(
  client: Client,
  pipeline: PipelineNode,
  table: string,
  truth: Map<string, Reading>,
  lookedUp = ['e0', 'e3', 'e1998', 'e1999'],
) {
  const read = await archived(client, keyspace, table);
  expect(read.length).toBe(truth.size);
  expect(new Map(read.map((e) => [e.eventId, e.event]))).toEqual(truth);
  const values = await sourced(client, table);
  expect(values.length).toBe(truth.size);
  expect(new Set(values.map((v) => (v as Reading).eventId)).size).toBe(truth.size);
  const lookups = await cassandraCurrentRows(client, pipeline, new Set([`${keyspace}.${table}`]));
  for (const id of lookedUp) expect(lookups.get(`${keyspace}.${table}`)!([id])).toEqual({ payload: truth.get(id) });
  const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
  expect(result.events).toBe(truth.size);
  expect(await sensorCounts(client, `${table}_n`)).toEqual(countsBySensor(truth.values()));
}

describe('one event id archived with event times in different partitions', () => {
  it('blocks: copies in other 10-minute slots are read, sourced and repaired once, the copy written last winning', async () => {
    const table = `sor_slots_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      const write = await archiver(client, pipeline);
      const base = Date.UTC(2024, 0, 1);
      // 2,000 events a second apart: four 10-minute slots.
      const first = Array.from({ length: 2_000 }, (_, i) => ({
        eventId: `e${i}`,
        sensorId: `s${i % 5}`,
        ts: base + i * 1_000,
      }));
      // A third of them come again an hour later (a producer's retry stamping its send time); a third of those for another sensor.
      const again = first
        .filter((_, i) => i % 3 === 0)
        .map((e, k) => ({ ...e, ts: e.ts + 3_600_000, sensorId: k % 3 === 0 ? 'moved' : e.sensorId }));
      // Then a replay of the first batch rewrites 100 of the first copies: written last, they win again.
      const replayed = first.filter((_, i) => i % 3 === 0 && i < 300);
      await write(first);
      await write(again);
      await write(replayed);
      const stored = await selectAll(client, `SELECT n FROM ${keyspace}.${table}`);
      expect(stored.reduce((a, b) => a + Number(b.n), 0)).toBe(2_000 + 667 + 100);
      const truth = lastWritten(first, again, replayed);
      expect(truth.get('e0')).toEqual(first[0]);
      expect(truth.get('e1998')?.sensorId).toBe('moved');
      await expectEachIdOnce(client, pipeline, table, truth);
    } finally {
      await client.shutdown();
    }
  }, 180_000);

  it('rows (the layout of older versions): copies on both sides of UTC midnight are read, sourced and repaired once', async () => {
    const table = `sor_midnight_${runId()}`;
    const client = await cassandraClient();
    try {
      await client.execute(rowLayoutCql(keyspace, table));
      const pipeline = archiving(table);
      const write = await archiver(client, pipeline);
      const midnight = Date.UTC(2024, 0, 2);
      const first = Array.from({ length: 2_000 }, (_, i) => ({
        eventId: `e${i}`,
        sensorId: `s${i % 5}`,
        ts: midnight - 200_000 + i * 100,
      }));
      // Half come again two minutes later, past midnight for some: the next day's bucket.
      const again = first.filter((_, i) => i % 2 === 0).map((e) => ({ ...e, ts: e.ts + 120_000, sensorId: 'late' }));
      await write(first);
      await write(again);
      const days = await selectAll(client, `SELECT bucket FROM ${keyspace}.${table}`);
      expect(new Set(days.map((r) => r.bucket))).toEqual(new Set(['2024-01-01', '2024-01-02']));
      expect(days.length).toBeGreaterThan(2_000);
      await expectEachIdOnce(client, pipeline, table, lastWritten(first, again));
    } finally {
      await client.shutdown();
    }
  }, 180_000);
});

/**
 * Two event ids the cheap copy check cannot tell apart: the same hash file and
 * the same 53-bit key there (61 bits of the two 32-bit hashes of
 * `sor-copy-hashes.ts`), found by a Pollard-rho search over `collide-` and 11
 * characters (scratch C, about 10⁹ hashes).
 */
const colliding = ['collide-zPvvOlwa9Jx', 'collide-bg84K_xkgdy'] as const;

/** Whether the cheap check says "maybe in two partitions" for these copies (token, id). */
const maybeTwice = (copies: readonly (readonly [string, string])[]) => {
  const hashes = new CopyHashes();
  for (const [token, id] of copies) hashes.add(...tokenWords(token), id);
  return hashes.maybeTwice();
};

describe('two event ids whose copy hashes meet, in two partitions', () => {
  it('the ids collide for the copy check, in two partitions only', () => {
    const [x, y] = colliding;
    expect(x).not.toBe(y);
    expect(
      maybeTwice([
        ['1', x],
        ['2', y],
      ]),
    ).toBe(true);
    expect(
      maybeTwice([
        ['1', x],
        ['1', y],
      ]),
    ).toBe(false);
    expect(
      maybeTwice([
        ['1', x],
        ['2', 'e0'],
      ]),
    ).toBe(false);
  });

  for (const layout of ['deflated-blocks', 'blocks', 'rows'] as const)
    it(`${layout}: the exact tally clears the collision; every reader reads both ids once, repair counts both`, async () => {
      const [x, y] = colliding;
      const table = `sor_collide_${layout.replace('-', '_')}_${runId()}`;
      const client = await cassandraClient();
      try {
        // The layouts of older versions made by hand, as a deployment's existing table.
        if (layout !== 'deflated-blocks') await client.execute(sorTableCql(keyspace, table, layout));
        const pipeline = archiving(table);
        const write = await archiver(client, pipeline);
        const base = Date.UTC(2024, 0, 1);
        // 2,000 events a second apart (four 10-minute slots, one day), one colliding id among them,
        // the other a day later: another slot, another day, so another partition in either layout.
        const first = Array.from({ length: 2_000 }, (_, i) => ({
          eventId: i === 500 ? x : `e${i}`,
          sensorId: `s${i % 5}`,
          ts: base + i * 1_000,
        }));
        const later = [{ eventId: y, sensorId: 's-later', ts: base + 86_400_000 }];
        await write(first);
        await write(later);
        const read = await archived(client, keyspace, table);
        const where = new Map(read.map((e) => [e.eventId, e.position]));
        expect(where.get(x)!.token).not.toBe(where.get(y)!.token);
        expect(
          maybeTwice([
            [where.get(x)!.token, x],
            [where.get(y)!.token, y],
          ]),
        ).toBe(true);
        await expectEachIdOnce(client, pipeline, table, lastWritten(first, later), ['e0', x, y]);
      } finally {
        await client.shutdown();
      }
    }, 180_000);
});
