import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { schemaCql, tableSchemas } from '../../connectors/cassandra/cql-schema.ts';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { SorBlockWriter } from '../../connectors/cassandra/sor-block-writer.ts';
import { decodeBlock, partitionBound, type UndecodableBlock } from '../../connectors/cassandra/sor-blocks.ts';
import { sorBucket } from '../../connectors/cassandra/sor-bucket.ts';
import { sorLayout, sorTableCql } from '../../connectors/cassandra/sor-layout.ts';
import { systemOfRecordEntries, systemOfRecordPairs, type PairsRead } from '../../connectors/cassandra/sor-reader.ts';
import { CassandraTableWriter } from '../../connectors/cassandra/table-writer.ts';
import { cassandraCurrentRows } from '../../connectors/cassandra/current-rows.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repair, runLocal } from '../../runners/local/index.ts';
import { rowsToOps } from '../../runtime/sinks/table-ops.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { archived, archiving, rowLayoutCql, sorOf, writerOf, type Reading, sensorCounts } from './archived.ts';
import { cassandraClient, runId, selectAll } from './servers.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const keyspace = 'idemflow_it';
const quiet = { log: () => {} };

const countsOf = (client: Awaited<ReturnType<typeof cassandraClient>>, table: string) =>
  sensorCounts(client, `${table}_n`);

const truthOf = (events: readonly Reading[]) => {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const counts = new Map<unknown, number>();
  for (const e of byId.values()) counts.set(e.sensorId, (counts.get(e.sensorId) ?? 0) + 1);
  return counts;
};

/** A batch as the block writer takes it: ids `<prefix><from>`… with events `{ n }`, all in partition `bucket`. */
const columnsOf = (prefix: string, bucket: string, from: number, count: number) => ({
  ids: Array.from({ length: count }, (_, i) => `${prefix}${from + i}`),
  events: Array.from({ length: count }, (_, i) => ({ n: from + i })),
  buckets: Array.from({ length: count }, () => bucket),
});

describe('the block layout of a Cassandra system of record', () => {
  it('10⁶ events at the rate of 10⁸ a day: no partition passes the bound, every event reads back once', async () => {
    const table = `sor_million_${runId()}`;
    const pipeline = archiving(table);
    const client = await cassandraClient();
    try {
      const writer = await writerOf(client, pipeline);
      const n = 1_000_000;
      const start = Date.UTC(2024, 0, 1);
      // 10⁸ a day is one event every 0.864 ms: 10⁶ of them span 14.4 minutes, two 10-minute slots.
      for (let from = 0; from < n; from += 20_000) {
        const batch = Array.from({ length: 20_000 }, (_, k) => {
          const i = from + k;
          return { eventId: `m${i}`, sensorId: `s${i % 1_000}`, ts: start + Math.floor((i * 864) / 1_000) };
        });
        await writer.write(rowsToOps(sorOf(pipeline), batch));
      }
      const sizes = new Map<string, { events: number; bytes: number }>();
      for (const b of await selectAll(client, `SELECT bucket, n, bytes FROM ${keyspace}.${table}`)) {
        const size = sizes.get(String(b.bucket)) ?? { events: 0, bytes: 0 };
        sizes.set(String(b.bucket), { events: size.events + Number(b.n), bytes: size.bytes + Number(b.bytes) });
      }
      expect(sizes.size).toBe(32);
      const largest = Math.max(...[...sizes.values()].map((s) => s.events));
      // Even spread: the first slot's 694,445 events over 16 buckets is 43,403 each (± about 210).
      expect(largest).toBeLessThan(45_000);
      expect(largest).toBeLessThanOrEqual(partitionBound.events);
      expect(Math.max(...[...sizes.values()].map((s) => s.bytes))).toBeLessThanOrEqual(partitionBound.bytes);
      const ids = new Set<string>();
      let read = 0;
      for await (const { eventId } of systemOfRecordEntries(client, keyspace, table)) {
        read++;
        ids.add(eventId);
      }
      expect(read).toBe(n);
      expect(ids.size).toBe(n);
    } finally {
      await client.execute(`DROP TABLE IF EXISTS ${keyspace}.${table}`);
      await client.shutdown();
    }
  }, 600_000);

  it('a partition never passes its bound: what would is written to its overflow partitions, said once a partition, and reads back once', async () => {
    const table = `sor_bound_${runId()}`;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(archiving(table)))) await client.execute(cql);
      const events = (from: number, count: number) => columnsOf('e', 'p', from, count);
      const bound = { events: 1_000, bytes: 1e9 };
      const notices: string[] = [];
      const first = new SorBlockWriter(client, keyspace, table, bound, (l) => notices.push(l));
      await first.write(events(0, 600));
      await first.write(events(600, 300));
      expect(notices).toEqual([]);
      // 900 + 200 would pass 1,000: the 200 go to p~1; 150 more pass it again, and join them.
      await first.write(events(900, 200));
      await first.write(events(1_100, 150));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain(
        `the system of record ${keyspace}.${table}: partition 'p' is full: it holds 900 events (`,
      );
      expect(notices[0]).toContain(`events past it go to partition 'p~1'`);
      // Another process (a restart) reads the sizes before its first write: p holds 900, p~1 350.
      const again: string[] = [];
      const second = new SorBlockWriter(client, keyspace, table, bound, (l) => again.push(l));
      await second.write(events(1_250, 700));
      expect(again).toHaveLength(2);
      expect(again[1]).toMatch(/partition 'p~1' is full: it holds 350 events .* go to partition 'p~2'/);
      const sizes = await selectAll(client, `SELECT bucket, n FROM ${keyspace}.${table}`);
      const held = new Map<string, number>();
      for (const row of sizes) held.set(String(row.bucket), (held.get(String(row.bucket)) ?? 0) + Number(row.n));
      expect(Object.fromEntries(held)).toEqual({ p: 900, 'p~1': 350, 'p~2': 700 });
      const read = await archived(client, keyspace, table);
      expect(read).toHaveLength(1_950);
      expect(new Set(read.map((e) => e.eventId)).size).toBe(1_950);
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('a replay that meets its partition full writes the copies to the overflow partition: read back once, as the first copy', async () => {
    const table = `sor_bound_replay_${runId()}`;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(archiving(table)))) await client.execute(cql);
      const batch = columnsOf('r', 'q', 0, 400);
      const bound = { events: 500, bytes: 1e9 };
      // The batch landed, then the process was killed before its checkpoint; the restart replays it.
      await new SorBlockWriter(client, keyspace, table, bound, () => {}).write(batch);
      await new SorBlockWriter(client, keyspace, table, bound, () => {}).write(batch);
      const buckets = await selectAll(client, `SELECT bucket FROM ${keyspace}.${table}`);
      expect(new Set(buckets.map((r) => String(r.bucket)))).toEqual(new Set(['q', 'q~1']));
      const read = await archived(client, keyspace, table);
      expect(read).toHaveLength(400);
      expect(read.map((e) => (e.event as { n: number }).n).sort((a, b) => a - b)).toEqual(batch.events.map((e) => e.n));
      // Repair's and the dry-run's read: one pass finds ids in two partitions, the exact pass counts each once.
      let pass: PairsRead | undefined = systemOfRecordPairs(client, keyspace, table);
      let passes = 0;
      let ids: string[] = [];
      while (pass) {
        [ids, passes] = [[], passes + 1];
        for await (const [runIds] of pass.runs) ids.push(...runIds);
        pass = await pass.exact();
      }
      expect(passes).toBe(2);
      expect(ids.sort()).toEqual([...batch.ids].sort());
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('a block alone fits an empty partition even past a bound smaller than itself; the next write goes on', async () => {
    const table = `sor_bound_block_${runId()}`;
    const client = await cassandraClient();
    try {
      for (const cql of schemaCql(tableSchemas(archiving(table)))) await client.execute(cql);
      const events = (from: number, count: number) => columnsOf('b', 'r', from, count);
      const writer = new SorBlockWriter(client, keyspace, table, { events: 100, bytes: 1e9 }, () => {});
      await writer.write(events(0, 300));
      await writer.write(events(300, 10));
      const sizes = await selectAll(client, `SELECT bucket, n FROM ${keyspace}.${table}`);
      expect(sizes.map((r) => [String(r.bucket), Number(r.n)]).sort()).toEqual([
        ['r', 300],
        ['r~1', 10],
      ]);
      expect(await archived(client, keyspace, table)).toHaveLength(310);
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  it('a replay cut differently adds copies that readers and repair count once, the newest payload winning', async () => {
    const table = `sor_recut_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      const writer = await writerOf(client, pipeline);
      const at = (i: number, sensor = `s${i % 5}`): Reading => ({
        eventId: `e${i}`,
        sensorId: sensor,
        ts: 1_700_000_000_000 + i * 997,
      });
      const first = Array.from({ length: 1_000 }, (_, i) => at(i));
      // The replay starts mid-way and ends later; e700 comes again with another payload (a producer's retry).
      const replay = Array.from({ length: 1_000 }, (_, i) => (i === 200 ? at(700, 'moved') : at(500 + i)));
      await writer.write(rowsToOps(sorOf(pipeline), first));
      await writer.write(rowsToOps(sorOf(pipeline), replay));
      const stored = await selectAll(client, `SELECT n FROM ${keyspace}.${table}`);
      expect(stored.reduce((a, b) => a + Number(b.n), 0)).toBe(2_000);
      const read = await archived(client, keyspace, table);
      expect(read.length).toBe(1_500);
      expect(read.find((e) => e.eventId === 'e700')?.event).toEqual(at(700, 'moved'));
      const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
      expect(result.events).toBe(1_500);
      expect(await countsOf(client, table)).toEqual(truthOf([...first, ...replay]));
    } finally {
      await client.shutdown();
    }
  }, 120_000);

  // What each block layout stores: text, or the text deflated; and a block whose bytes do not inflate at all.
  const stored = {
    blocks: (text: string) => text,
    'deflated-blocks': (text: string) => deflateRawSync(text),
  } as const;
  for (const layout of ['deflated-blocks', 'blocks'] as const)
    it(`${layout}: a block that fails to decode is reported by its key; every other block is read`, async () => {
      const table = `sor_bad_${runId()}`;
      const client = await cassandraClient();
      try {
        const pipeline = archiving(table);
        if (layout === 'blocks') await client.execute(sorTableCql(keyspace, table, 'blocks'));
        const writer = await writerOf(client, pipeline);
        const events = Array.from({ length: 3_000 }, (_, i) => ({
          eventId: `e${i}`,
          sensorId: `s${i % 3}`,
          ts: i * 1_000,
        }));
        await writer.write(rowsToOps(sorOf(pipeline), events));
        expect(await sorLayout(client, keyspace, table)).toBe(layout);
        const [victim] = await selectAll(client, `SELECT bucket, block, n FROM ${keyspace}.${table} LIMIT 1`);
        const insertBad = (block: string, events: unknown) =>
          client.execute(
            `INSERT INTO ${keyspace}.${table} (bucket, block, n, bytes, events) VALUES (?, ?, ?, ?, ?)`,
            [victim!.bucket, block, 1, 9, events],
            { prepare: true },
          );
        await insertBad('zz-not-json', stored[layout]('[["e-bad",'));
        await insertBad('zz-not-pairs', stored[layout]('{"e": 1}'));
        // In the writer's shape, so its ids are found without decoding it; but `tru` is not JSON.
        await insertBad('zz-shaped-not-json', stored[layout]('[["e-bad2",tru]]'));
        const badBlocks = ['zz-not-json', 'zz-not-pairs', 'zz-shaped-not-json'];
        if (layout === 'deflated-blocks') {
          await insertBad('zz-not-deflate', Buffer.from('[["e-bad3",{}]]'));
          badBlocks.push('zz-not-deflate');
        }
        const bad: UndecodableBlock[] = [];
        let read = 0;
        for await (const _ of systemOfRecordEntries(client, keyspace, table, { onBadBlock: (e) => bad.push(e) }))
          read++;
        expect(read).toBe(3_000);
        // In the order the blocks are clustered (by key).
        expect(bad.map((e) => [e.bucket, e.block])).toEqual([...badBlocks].sort().map((b) => [victim!.bucket, b]));
        expect(bad.find((e) => e.block === 'zz-not-json')!.message).toMatch(
          new RegExp(`^block \\(bucket '${victim!.bucket}', block 'zz-not-json'\\) does not decode: `),
        );
        // Repair's read (each block decoded as it is taken) reports the same and counts every other event.
        const inRepair: UndecodableBlock[] = [];
        const target = cassandraRepairTarget(client, pipeline, { onBadBlock: (e) => inRepair.push(e) });
        expect((await repair(pipeline, { target, dryRun: true })).events).toBe(3_000);
        expect(inRepair.map((e) => e.block).sort()).toEqual(badBlocks.sort());
      } finally {
        await client.shutdown();
      }
    }, 120_000);

  it('a table in neither layout: reading and repair fail naming the table, its columns and the layouts expected', async () => {
    const table = `sor_alien_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      await client.execute(`CREATE TABLE ${keyspace}.${table} (bucket text PRIMARY KEY, stuff text)`);
      const message = new RegExp(
        `^${keyspace}\\.${table} is not a system of record idemflow can read: its columns are \\(bucket text, stuff text\\); expected the block layout \\(bucket text, block text, n bigint, bytes bigint, events blob, .*the text block layout of older versions \\(bucket text, block text, n bigint, bytes bigint, events text, .* or the row layout of older versions \\(bucket text, event_id text, payload text`,
      );
      await expect(archived(client, keyspace, table)).rejects.toThrow(message);
      await expect(repair(pipeline, { target: cassandraRepairTarget(client, pipeline) })).rejects.toThrow(message);
      const schema = tableSchemas(pipeline).find((s) => s.table === table)!;
      const writer = new CassandraTableWriter(client, sorOf(pipeline), schema, sorBucket(pipeline));
      await expect(writer.write(rowsToOps(sorOf(pipeline), [{ eventId: 'e', sensorId: 's', ts: 1 }]))).rejects.toThrow(
        message,
      );
    } finally {
      await client.shutdown();
    }
  }, 60_000);

  it("a table with the block layout's column names but another type for its events is refused, naming the types", async () => {
    const table = `sor_typed_${runId()}`;
    const client = await cassandraClient();
    try {
      await client.execute(
        `CREATE TABLE ${keyspace}.${table} (bucket text, block text, n bigint, bytes bigint, events int, PRIMARY KEY (bucket, block))`,
      );
      const message = `its columns are (block text, bucket text, bytes bigint, events int, n bigint); expected the block layout`;
      await expect(archived(client, keyspace, table)).rejects.toThrow(message);
      const pipeline = archiving(table);
      const writer = await writerOf(client, pipeline);
      await expect(writer.write(rowsToOps(sorOf(pipeline), [{ eventId: 'e', sensorId: 's', ts: 1 }]))).rejects.toThrow(
        message,
      );
    } finally {
      await client.shutdown();
    }
  }, 60_000);

  for (const layout of ['blocks', 'rows'] as const)
    it(`an archive an older version made (${layout}) goes on being written and read as such; repair is exact over it`, async () => {
      const table = `sor_old_${runId()}`;
      const events = Array.from({ length: 2_500 }, (_, i) => ({
        eventId: `e${i}`,
        sensorId: `s${i % 7}`,
        ts: i * 60_000,
      }));
      const client = await cassandraClient();
      try {
        await client.execute(layout === 'rows' ? rowLayoutCql(keyspace, table) : sorTableCql(keyspace, table, layout));
        const pipeline = archiving(table, events);
        for (const cql of schemaCql(tableSchemas(pipeline))) await client.execute(cql);
        await runLocal(pipeline, {
          store: new EmbeddedStore(tempDir()),
          targets: [cassandraConnector(client)],
          batchSize: 1_000,
          ...quiet,
        });
        expect(await sorLayout(client, keyspace, table)).toBe(layout);
        if (layout === 'rows') {
          // Still a row an event, in the day buckets of that layout.
          const rows = await selectAll(client, `SELECT bucket, event_id FROM ${keyspace}.${table}`);
          expect(rows.length).toBe(2_500);
          expect(new Set(rows.map((r) => r.bucket))).toEqual(new Set(['1970-01-01', '1970-01-02']));
        } else {
          // Still blocks of JSON text, as that version wrote them.
          const blocks = await selectAll(client, `SELECT events FROM ${keyspace}.${table}`);
          expect(blocks.every((b) => typeof b.events === 'string')).toBe(true);
          expect(blocks.reduce((a, b) => a + decodeBlock('b', 'k', b.events).length, 0)).toBe(2_500);
        }
        expect((await archived(client, keyspace, table)).length).toBe(2_500);
        await client.execute(`TRUNCATE ${keyspace}.${table}_n`);
        const result = await repair(pipeline, { target: cassandraRepairTarget(client, pipeline) });
        expect(result.events).toBe(2_500);
        expect(await countsOf(client, table)).toEqual(truthOf(events));
      } finally {
        await client.shutdown();
      }
    }, 120_000);

  it('a table made by idemflow now: blocks deflated (a fraction of their JSON), the table not compressed again', async () => {
    const table = `sor_new_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      const writer = await writerOf(client, pipeline);
      const events = Array.from({ length: 4_000 }, (_, i) => ({
        eventId: `e${i}`,
        sensorId: `s${i % 9}`,
        ts: i * 100,
      }));
      await writer.write(rowsToOps(sorOf(pipeline), events));
      expect(await sorLayout(client, keyspace, table)).toBe('deflated-blocks');
      const blocks = await selectAll(client, `SELECT bytes, events FROM ${keyspace}.${table}`);
      const [json, stored] = [0, 0].map((_, i) =>
        blocks.reduce((a, b) => a + (i === 0 ? Number(b.bytes) : (b.events as Buffer).length), 0),
      );
      expect(stored).toBeLessThan(json! / 3);
      const options = await client.execute(
        'SELECT compression FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
        [keyspace, table],
        { prepare: true },
      );
      expect(options.rows[0]!.get('compression')).toMatchObject({ enabled: 'false' });
      expect(new Map((await archived(client, keyspace, table)).map((e) => [e.eventId, e.event]))).toEqual(
        new Map(events.map((e) => [e.eventId, e])),
      );
    } finally {
      await client.shutdown();
    }
  }, 60_000);

  for (const layout of ['deflated-blocks', 'blocks', 'rows'] as const)
    it(`${layout}: a batch archived as columns (no op an event) reads back exactly: escapes, an id twice, an event over a block`, async () => {
      const table = `sor_cols_${runId()}`;
      const client = await cassandraClient();
      try {
        const pipeline = archiving(table);
        if (layout === 'rows') await client.execute(rowLayoutCql(keyspace, table));
        if (layout === 'blocks') await client.execute(sorTableCql(keyspace, table, layout));
        const writer = await writerOf(client, pipeline);
        const odd = ['"', '\\', ']', ',', '\u0001', '\u2028', 'é', '😀'];
        const events = Array.from({ length: 3_000 }, (_, i) => ({
          eventId: `${odd[(i % 2_900) % odd.length]}${i % 2_900}`,
          sensorId: `s"],[${odd[i % odd.length]}`,
          ts: i * 100,
          i,
        }));
        // Larger than a block (256 KiB of JSON): a block of its own.
        events.push({ eventId: 'big', sensorId: `"]],[[${'é😀'.repeat(70_000)}`, ts: 0, i: 3_000 });
        await writer.archive(
          events.map((e) => e.eventId),
          events,
        );
        expect(await sorLayout(client, keyspace, table)).toBe(layout);
        // Of an id twice in the batch, the last counts (the events 2,900 to 2,999 repeat the ids of 0 to 99).
        const last = new Map(events.map((e) => [e.eventId, e]));
        expect(last.size).toBe(2_901);
        expect(new Map((await archived(client, keyspace, table)).map((e) => [e.eventId, e.event]))).toEqual(last);
      } finally {
        await client.execute(`DROP TABLE IF EXISTS ${keyspace}.${table}`);
        await client.shutdown();
      }
    }, 60_000);

  it('a dry-run over a block-layout archive finds the events already there by id', async () => {
    const table = `sor_dry_${runId()}`;
    const events = Array.from({ length: 1_200 }, (_, i) => ({
      eventId: `e${i}`,
      sensorId: `s${i % 4}`,
      ts: i * 1_000,
    }));
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table, events);
      const writer = await writerOf(client, pipeline);
      await writer.write(rowsToOps(sorOf(pipeline), events.slice(0, 1_000)));
      const lookups = await cassandraCurrentRows(client, pipeline, new Set([`${keyspace}.${table}`]));
      const lookup = lookups.get(`${keyspace}.${table}`)!;
      expect(lookup(['e999'])).toEqual({ payload: events[999] });
      expect(lookup(['e1000'])).toBeUndefined();
    } finally {
      await client.shutdown();
    }
  }, 60_000);

  it('keeps two events whose ids differ only in a lone surrogate, archived in two batches to one partition', async () => {
    const table = `sor_lone_${runId()}`;
    const client = await cassandraClient();
    try {
      const pipeline = archiving(table);
      const writer = await writerOf(client, pipeline);
      const bucketOf = sorBucket(pipeline);
      const reading = (eventId: string, i: number) => ({ eventId, sensorId: 's', ts: 0, i });
      // Two lone surrogates of one partition: UTF-8 makes both U+FFFD, and the block key was a hash of that.
      const ids = ['\uD800'];
      for (let c = 0xd801; ids.length < 2; c++) {
        const id = String.fromCharCode(c);
        if (bucketOf.block(reading(id, 0), id) === bucketOf.block(reading(ids[0]!, 0), ids[0]!)) ids.push(id);
      }
      for (const [i, id] of ids.entries()) await writer.archive([id], [reading(id, i)]);
      const read = await archived(client, keyspace, table);
      expect(new Map(read.map((e) => [e.eventId, e.event]))).toEqual(new Map(ids.map((id, i) => [id, reading(id, i)])));
    } finally {
      await client.execute(`DROP TABLE IF EXISTS ${keyspace}.${table}`);
      await client.execute(`DROP TABLE IF EXISTS ${keyspace}.${table}_n`);
      await client.shutdown();
    }
  }, 60_000);
});
