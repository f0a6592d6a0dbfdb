import type { Client } from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { cassandra, sinks, source } from 'idemflow';
import type { PipelineNode } from '../../compiler/ir/index.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { sorLayout, sorTableCql, type SorLayout } from '../../connectors/cassandra/sor-layout.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { diffPlan, repair, runLocal } from '../../runners/local/index.ts';
import { loadRunner } from '../../runners/registry.ts';
import { dryRunLookup } from '../../cli/dry-run-lookup.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived } from './archived.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';

interface Reading {
  eventId: unknown;
  sensorId: string;
  ts: number;
}

const start = 1_704_067_200_000;
/** Readings one second apart (one partition of a block layout: ten minutes and an id bucket). */
const readings = (ids: readonly unknown[]): Reading[] =>
  ids.map((eventId, i) => ({ eventId, sensorId: 's', ts: start + i }));

/** An archive of readings and their counts by sensor in `counts`. */
const counting = (keyspace: string, events: readonly Reading[]) =>
  source
    .memory<Reading>(events)
    .archive(cassandra.systemOfRecord({ keyspace, table: 'events', id: 'eventId' }))
    .withEventTime((e) => e.ts)
    .groupBy('sensorId')
    .count()
    .sink(cassandra.upsert({ keyspace, table: 'counts', key: { sensor: 'key' }, values: { n: 'value' } })).ir;

/** A keyspace of this test's own, its archive table made in `layout` first (`new`: the layout a new table gets). */
async function inKeyspace(layout: SorLayout | 'new', use: (client: Client, keyspace: string) => Promise<void>) {
  const client = await cassandraClient();
  const keyspace = `idemflow_u19b_${runId()}`;
  await client.execute(
    `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  try {
    if (layout !== 'new') await client.execute(sorTableCql(keyspace, 'events', layout));
    await use(client, keyspace);
  } finally {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  }
}

const beamDirect = await loadRunner('beam-direct');
const options = (client: Client) => ({
  store: new EmbeddedStore(tempDir()),
  targets: [cassandraConnector(client)],
  log: () => {},
  batchSize: 3,
});

async function run(client: Client, pipeline: PipelineNode, runner: 'local' | 'beam-direct' = 'local') {
  for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
  return runner === 'local' ? runLocal(pipeline, options(client)) : beamDirect.run(pipeline, options(client));
}

const counts = async (client: Client, keyspace: string) =>
  (await selectAll(client, `SELECT sensor, n FROM ${keyspace}.counts`)).map((r) => [r.sensor, Number(r.n)]);

/** Two ids differing only in a lone surrogate (U+D800 and U+D801: UTF-8 makes both U+FFFD), between well-formed ones. */
const loneIds = ['a', 'x\uD800', 'b', 'x\uD801', 'c', 'd\uD83D\uDE00'];

describe('an id the row layout would merge with another is a dead letter, decided before the record is counted', () => {
  for (const runner of ['local', 'beam-direct'] as const)
    it(`${runner}: each id with a lone surrogate, named with its position; counts, archive and repair agree`, async () => {
      await inKeyspace('rows', async (client, keyspace) => {
        const pipeline = counting(keyspace, readings(loneIds));
        const result = await run(client, pipeline, runner);
        expect(await sorLayout(client, keyspace, 'events')).toBe('rows');
        expect(result.deadLetters).toBe(2);
        const letters = await selectAll(client, `SELECT reason FROM ${keyspace}.dead_letters`);
        const reasons = letters.map((l) => String(l.reason)).sort();
        expect(reasons[0]).toMatch(
          new RegExp(
            `event id \`eventId\` has a lone surrogate \\(U\\+D800\\) at position 1: ${keyspace}\\.events has the row layout`,
          ),
        );
        expect(reasons[1]).toMatch(/lone surrogate \(U\+D801\) at position 1: .*stores it as U\+FFFD/);
        expect(await counts(client, keyspace)).toEqual([['s', 4]]);
        const ids = (await archived(client, keyspace, 'events')).map((e) => e.eventId).sort();
        expect(ids).toEqual(['a', 'b', 'c', 'd\uD83D\uDE00']);
        const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(repaired.corrected).toBe(0);
        expect(await counts(client, keyspace)).toEqual([['s', 4]]);
      });
    }, 120_000);
});

describe('an id past the row layout key column’s 65,535 bytes is a dead letter, not a batch that fails on every replay', () => {
  it('local: the long id named with its size; the others counted and archived', async () => {
    await inKeyspace('rows', async (client, keyspace) => {
      const long = 'é'.repeat(40_000); // 80,000 bytes of UTF-8 in 40,000 units
      const pipeline = counting(keyspace, readings(['a', long, 'b', 'z'.repeat(65_535)]));
      const result = await run(client, pipeline);
      expect(result.deadLetters).toBe(1);
      const [letter] = await selectAll(client, `SELECT reason FROM ${keyspace}.dead_letters`);
      expect(String(letter!.reason)).toMatch(
        new RegExp(`event id \\\`eventId\\\` is 80000 bytes of UTF-8: ${keyspace}\\.events has the row layout`),
      );
      expect(await counts(client, keyspace)).toEqual([['s', 3]]);
      expect((await archived(client, keyspace, 'events')).map((e) => String(e.eventId).length).sort()).toEqual([
        1, 1, 65_535,
      ]);
    });
  }, 120_000);
});

describe('the dry-run plans what the run would do with such an id', () => {
  it('rows layout: planned as a dead letter, not as an archived event; nothing written', async () => {
    await inKeyspace('rows', async (client, keyspace) => {
      const pipeline = counting(keyspace, readings(loneIds));
      const result = await runLocal(pipeline, { ...options(client), dryRun: true });
      expect(result.deadLetters).toBe(2);
      const archivedIds = (result.plan ?? [])
        .filter((w) => w.sink === `${keyspace}.events`)
        .flatMap((w) => w.ops.map((op) => op.k[0]));
      expect(archivedIds.sort()).toEqual(['a', 'b', 'c', 'd\uD83D\uDE00']);
      expect(await archived(client, keyspace, 'events')).toEqual([]);
    });
  }, 120_000);
});

describe('the block layouts keep ids differing only in a lone surrogate apart, written and read back', () => {
  for (const layout of ['new', 'blocks'] as const)
    it(`${layout === 'new' ? 'deflated blocks' : 'text blocks'}: archived in separate batches to one partition; repair and source.cassandraTable read each`, async () => {
      await inKeyspace(layout, async (client, keyspace) => {
        const pipeline = counting(keyspace, readings(loneIds));
        const result = await run(client, pipeline);
        expect(result.deadLetters).toBe(0);
        expect(await counts(client, keyspace)).toEqual([['s', 6]]);
        const ids = (await archived(client, keyspace, 'events')).map((e) => e.eventId);
        expect(ids.sort()).toEqual([...loneIds].sort());
        const repaired = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(repaired.corrected).toBe(0);
        expect(await counts(client, keyspace)).toEqual([['s', 6]]);
        const recount = source
          .cassandraTable({ keyspace, table: 'events' })
          .map((e) => e as Reading)
          .groupBy((e) => String(e.eventId))
          .count()
          .sink(sinks.memory()).ir;
        const read = await runLocal(recount, options(client));
        expect(read.recordsIn).toBe(loneIds.length);
        const keys = [...read.memory.get('memory')!.values()].map((r) => (r as { key: string }).key);
        expect(keys.sort()).toEqual([...loneIds].sort());
      });
    }, 120_000);
});

/** Ids of every type an id function or field may give, each stored as its text (`storedId`). */
const typedIds: readonly unknown[] = [new Date(start), 42, true, { order: 7, line: 'b' }, ['x', 1], 'plain'];

describe('the dry-run looks up an archived id of any type by its stored text', () => {
  it('ids of each type, archived: the dry-run of the same events shows them unchanged, of others new', async () => {
    await inKeyspace('new', async (client, keyspace) => {
      await run(client, counting(keyspace, readings(typedIds)));
      const stored = (await archived(client, keyspace, 'events')).map((e) => e.eventId).sort();
      expect(stored).toEqual([
        '"2024-01-01T00:00:00.000Z"',
        '42',
        '["x",1]',
        'plain',
        'true',
        '{"order":7,"line":"b"}',
      ]);
      const plan = async (ids: readonly unknown[]) => {
        const pipeline = counting(keyspace, readings(ids));
        const store = new EmbeddedStore(tempDir());
        const targets = [cassandraConnector(client)];
        const result = await runLocal(pipeline, { store, targets, log: () => {}, dryRun: true });
        const changes = diffPlan(result.plan ?? [], await dryRunLookup(pipeline, result.plan ?? [], store, targets));
        return new Map(
          changes.filter((c) => c.sink === `${keyspace}.events`).map((c) => [JSON.stringify(c.key[0]), c.change]),
        );
      };
      const same = await plan(typedIds);
      expect([...same.values()]).toEqual(typedIds.map(() => 'same'));
      // Others: a Date a second later, 43, false, another object, the string a Date or object would be shown as.
      const others = [
        new Date(start + 1_000),
        43,
        false,
        { order: 8, line: 'b' },
        String(new Date(start)),
        '[object Object]',
      ];
      const fresh = await plan(others);
      expect([...fresh.values()]).toEqual(others.map(() => 'insert'));
    });
  }, 120_000);
});
