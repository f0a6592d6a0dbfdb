import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedded, sink, sinks, sliding, source, tumbling } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import type { PipelineNode } from '../../../compiler/ir/index.ts';
import {
  embeddedRepairTarget,
  noFaults,
  parseFaults,
  repair,
  runLocal,
  runWithRestarts,
} from '../../../runners/local/index.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { archivedSensorCounts } from '../../helpers/pipelines.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { countsByKeyAndWindow, generatorDefaults, sum, tableCounts } from '../../helpers/truth.ts';

const quiet = { log: () => {}, sleep: async () => {} };
const minute = 60_000;

const events = [
  { eventId: 'a', sensorId: 's1', ts: 1_000, value: 4 },
  { eventId: 'b', sensorId: 's1', ts: 2_000, value: 2 },
  { eventId: 'c', sensorId: 's2', ts: 3_000, value: 10 },
  { eventId: 'd', sensorId: 's1', ts: 61_000, value: 7 },
  { eventId: 'e', sensorId: 's2', ts: 62_000, value: 1 },
];

function memoryRows(result: Awaited<ReturnType<typeof runLocal>>, name = 'memory') {
  return [...(result.memory.get(name)?.values() ?? [])] as { key: unknown; windowStart?: number; value: unknown }[];
}

describe('local engine: aggregation', () => {
  const windowed = () =>
    source
      .memory(events)
      .withEventTime((e) => e.ts)
      .window(tumbling(minute))
      .groupBy('sensorId');

  it.each([
    ['count', () => windowed().count(), { 's1@0': 2, 's2@0': 1, 's1@60000': 1, 's2@60000': 1 }],
    ['sum', () => windowed().sum('value'), { 's1@0': 6, 's2@0': 10, 's1@60000': 7, 's2@60000': 1 }],
    ['min', () => windowed().min('value'), { 's1@0': 2, 's2@0': 10, 's1@60000': 7, 's2@60000': 1 }],
    ['max', () => windowed().max('value'), { 's1@0': 4, 's2@0': 10, 's1@60000': 7, 's2@60000': 1 }],
    ['avg', () => windowed().avg('value'), { 's1@0': 3, 's2@0': 10, 's1@60000': 7, 's2@60000': 1 }],
  ] as const)('%s per key and tumbling window, whole aggregates', async (_name, build, expected) => {
    const result = await runLocal(build().sink(sinks.memory()).ir, {
      store: new EmbeddedStore(tempDir()),
      batchSize: 2,
      ...quiet,
    });
    const got = Object.fromEntries(memoryRows(result).map((r) => [`${r.key}@${r.windowStart}`, r.value]));
    expect(got).toEqual(expected);
  });

  it('custom aggregates merge and carry their own type', async () => {
    const p = source
      .memory(events)
      .groupBy('sensorId')
      .aggregate({ init: () => [] as string[], add: (a, e) => [...a, e.eventId], merge: (a, b) => [...a, ...b] })
      .sink(sinks.memory());
    const result = await runLocal(p.ir, { store: new EmbeddedStore(tempDir()), ...quiet });
    expect(Object.fromEntries(memoryRows(result).map((r) => [r.key, r.value]))).toEqual({
      s1: ['a', 'b', 'd'],
      s2: ['c', 'e'],
    });
  });

  it('sliding windows count each event in size/slide windows', async () => {
    const p = source
      .memory(events)
      .withEventTime((e) => e.ts)
      .window(sliding(2 * minute, minute))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
    const result = await runLocal(p.ir, { store: new EmbeddedStore(tempDir()), ...quiet });
    const got = Object.fromEntries(memoryRows(result).map((r) => [`${r.key}@${r.windowStart}`, r.value]));
    expect(got).toEqual({ 's1@-60000': 2, 's1@0': 3, 's2@-60000': 1, 's2@0': 2, 's1@60000': 1, 's2@60000': 1 });
  });

  it('writes upserts by primary key into the embedded store, counters as added deltas', async () => {
    const store = new EmbeddedStore(tempDir());
    const base = () =>
      source
        .memory(events)
        .withEventTime((e) => e.ts)
        .window(tumbling(minute))
        .groupBy('sensorId')
        .count();
    await runLocal(
      base().sink(embedded.upsert({ table: 'up', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } })).ir,
      { store, batchSize: 1, ...quiet },
    );
    await runLocal(
      base().sink(embedded.counter({ table: 'ctr', key: { s: 'key', ts: 'windowStart' }, counter: 'n' })).ir,
      { store, batchSize: 1, ...quiet },
    );
    expect(store.table({ table: 'up' }).get(['s1', 0])).toEqual({ n: 2 });
    expect(store.table({ table: 'ctr' }).get(['s1', 0])).toEqual({ n: 2 });
    // Running the same input again: the upsert converges, the counter doubles.
    await runLocal(
      base().sink(embedded.upsert({ table: 'up', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } })).ir,
      { store, batchSize: 1, ...quiet },
    );
    await runLocal(
      base().sink(embedded.counter({ table: 'ctr', key: { s: 'key', ts: 'windowStart' }, counter: 'n' })).ir,
      { store, batchSize: 1, ...quiet },
    );
    expect(store.table({ table: 'up' }).get(['s1', 0])).toEqual({ n: 2 });
    expect(store.table({ table: 'ctr' }).get(['s1', 0])).toEqual({ n: 4 });
  });
});

describe('local engine: bad input and late data', () => {
  it('sends undecodable and invalid records to dead letters with reason, raw payload and position, and counts the rest', async () => {
    const lines = [
      '{"eventId":"a","sensorId":"s1","ts":1,"value":1}',
      'not json',
      '{"eventId":"b","sensorId":"s1","ts":"soon","value":1}',
      '{"eventId":"c","sensorId":"s2","ts":3,"value":1}',
    ];
    const store = new EmbeddedStore(tempDir());
    const p = source
      .memory(lines)
      .parse(Reading)
      .groupBy('sensorId')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }));
    const result = await runLocal(p.ir, { store, ...quiet });
    expect(result.deadLetters).toBe(2);
    expect(store.table({ table: 'counts' }).get(['s1'])).toEqual({ n: 1 });
    expect(store.table({ table: 'counts' }).get(['s2'])).toEqual({ n: 1 });
    const letters = store
      .table({ table: 'dead_letters' })
      .rows()
      .map((r) => ({ position: r.key[0], ...r.columns }));
    expect(letters).toEqual([
      { position: 'memory#1', reason: expect.stringMatching(/^not JSON: /), raw: 'not json' },
      { position: 'memory#2', reason: expect.stringMatching(/^invalid: ts: /), raw: lines[2] },
    ]);
  });

  it('a throwing user function sends the record to dead letters and the run goes on', async () => {
    const p = source
      .memory(events)
      .map((e) => {
        if (e.eventId === 'c') throw new Error('boom');
        return e;
      })
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(p.ir, { store, ...quiet });
    expect(result.deadLetters).toBe(1);
    expect(store.table({ table: 'dead_letters' }).rows()[0]!.columns.reason).toBe('map threw: boom');
    expect(Object.fromEntries(memoryRows(result).map((r) => [r.key, r.value]))).toEqual({ s1: 3, s2: 1 });
  });

  it('routes records behind the watermark minus the allowed lateness to the late sink, never silently', async () => {
    const late = [
      ...events,
      { eventId: 'ok', sensorId: 's1', ts: 200_000, value: 1 },
      { eventId: 'late', sensorId: 's1', ts: 5_000, value: 1 },
      { eventId: 'tolerated', sensorId: 's1', ts: 130_000, value: 1 },
    ];
    const store = new EmbeddedStore(tempDir());
    const p = source
      .memory(late)
      .withEventTime((e) => e.ts)
      .window(tumbling(minute, { allowedLateness: minute }))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
    // One record a batch: the watermark moves with every record.
    const result = await runLocal(p.ir, { store, batchSize: 1, ...quiet });
    expect(result.late).toBe(1);
    expect(
      store
        .table({ table: 'dead_letters' })
        .rows()
        .map((r) => r.columns.reason),
    ).toEqual([expect.stringMatching(/^late: event time 1970-01-01T00:00:05.000Z is behind the watermark/)]);
    expect(memoryRows(result).find((r) => r.key === 's1' && r.windowStart === 120_000)?.value).toBe(1);
  });

  it('keeps state bounded by keys × open windows over a long stream', async () => {
    const settings = { seed: 5, count: 20_000, keys: 20, intervalMs: 1_000, ...generatorDefaults };
    let maxState = 0;
    const p = source
      .generator(settings)
      .withEventTime((e) => e.ts)
      .window(tumbling(minute))
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
    await runLocal(p.ir, {
      store: new EmbeddedStore(tempDir()),
      batchSize: 500,
      ...quiet,
      onProgress: (pr) => (maxState = Math.max(maxState, pr.stateEntries)),
    });
    // 20,000 s of events is 334 windows; a 500-event batch spans at most ~10 of them.
    expect(maxState).toBeGreaterThan(0);
    expect(maxState).toBeLessThanOrEqual(20 * 11);
  });
});

describe('local engine: checkpoints, crashes, retries', () => {
  const settings = { seed: 11, count: 3_000, keys: 7, intervalMs: 200, ...generatorDefaults };
  const idempotent = () => archivedSensorCounts(settings);

  it('after crashes and restarts, the sink equals an uncrashed run', async () => {
    const clean = await runWithRestarts(idempotent().ir, {
      storeDir: tempDir(),
      checkpointDir: tempDir(),
      batchSize: 250,
      ...quiet,
    });
    const crashed = await runWithRestarts(idempotent().ir, {
      storeDir: tempDir(),
      checkpointDir: tempDir(),
      batchSize: 250,
      faults: parseFaults('crash-at=3+7+11'),
      seed: 4,
      ...quiet,
    });
    expect(crashed.crashes).toEqual([3, 7, 11]);
    expect(tableCounts(crashed.store, 'counts', 'n')).toEqual(tableCounts(clean.store, 'counts', 'n'));
    expect(tableCounts(clean.store, 'counts', 'n')).toEqual(countsByKeyAndWindow(settings, minute));
    expect(crashed.store.table({ table: 'events' }).size).toBe(settings.count);
  });

  it('a sink that fails for good makes the batch replay from the checkpoint, and nothing is lost', async () => {
    const store = new EmbeddedStore(tempDir());
    // A write fails for good (4 failed attempts) with probability 0.75^4 ≈ 0.32: several of 12 batches replay.
    const result = await runLocal(idempotent().ir, {
      store,
      batchSize: 250,
      faults: { ...noFaults, writeFail: 0.75 },
      seed: 3,
      ...quiet,
    });
    expect(result.replays).toBeGreaterThan(0);
    expect(tableCounts(store, 'counts', 'n')).toEqual(countsByKeyAndWindow(settings, minute));
  });

  it("retry: 'none' abandons a failed write instead of replaying it", async () => {
    const store = new EmbeddedStore(tempDir());
    const p = source
      .generator(settings)
      .groupBy('sensorId')
      .count()
      .sink(embedded.counter({ table: 'ctr', key: { s: 'key' }, counter: 'n', retry: 'none' }));
    const result = await runLocal(p.ir, {
      store,
      batchSize: 100,
      faults: { ...noFaults, writeFail: 0.3 },
      seed: 9,
      ...quiet,
    });
    expect(result.abandonedWrites).toBeGreaterThan(0);
    expect(result.replays).toBe(0);
    expect(sum(tableCounts(store, 'ctr', 'n'))).toBeLessThan(settings.count);
  });

  it('a custom sink receives whole aggregates', async () => {
    const seen: unknown[] = [];
    const p = source
      .memory(events)
      .groupBy('sensorId')
      .count()
      .sink(sink({ write: (rows) => void seen.push(...rows), idempotent: true }));
    await runLocal(p.ir, { store: new EmbeddedStore(tempDir()), ...quiet });
    expect(seen).toEqual([
      { key: 's1', value: 3 },
      { key: 's2', value: 2 },
    ]);
  });

  it('a dry-run plans every write and applies none', async () => {
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(idempotent().ir, { store, dryRun: true, ...quiet });
    expect(store.tableNames()).toEqual([]);
    expect(result.plan?.map((w) => w.sink)).toContain('embedded.counts');
    expect(result.plan?.flatMap((w) => w.ops).filter((o) => o.op === 'upsert').length).toBeGreaterThan(settings.count);
  });

  it('stops after the batch in flight when signalled, with a checkpoint to resume from', async () => {
    const storeDir = tempDir();
    const checkpointDir = tempDir();
    const controller = new AbortController();
    const first = await runLocal(idempotent().ir, {
      store: new EmbeddedStore(storeDir),
      checkpointDir,
      batchSize: 100,
      signal: controller.signal,
      onProgress: (p) => p.batch >= 5 && controller.abort(),
      ...quiet,
    });
    expect(first.stopped).toBe('signal');
    expect(first.batches).toBeLessThan(30);
    const second = await runLocal(idempotent().ir, {
      store: new EmbeddedStore(storeDir),
      checkpointDir,
      batchSize: 100,
      ...quiet,
    });
    expect(second.stopped).toBe('end');
    expect(second.recordsIn).toBe(settings.count - first.recordsIn);
    expect(tableCounts(new EmbeddedStore(storeDir), 'counts', 'n')).toEqual(countsByKeyAndWindow(settings, minute));
  });
});

describe('local engine: pacing', () => {
  it('a generator with a rate emits no faster than asked', async () => {
    const p = source
      .generator({ count: 300, keys: 3, ratePerSecond: 1_000 })
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
    const started = performance.now();
    const result = await runLocal(p.ir, { store: new EmbeddedStore(tempDir()), log: () => {} });
    expect(result.recordsIn).toBe(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });
});

/** A run of 100-record batches stopped by a crash in batch 3 (where in it, the seed draws): its folders. */
async function crashedInBatch3(
  pipeline: PipelineNode,
  seed: number,
): Promise<{ storeDir: string; checkpointDir: string }> {
  const storeDir = tempDir();
  const checkpointDir = tempDir();
  const first = runWithRestarts(pipeline, {
    storeDir,
    checkpointDir,
    batchSize: 100,
    faults: parseFaults('crash-at=3'),
    seed,
    ...quiet,
    onCrash: () => {
      throw new Error('stop here');
    },
  });
  await expect(first).rejects.toThrow('stop here');
  return { storeDir, checkpointDir };
}

const progressIn = (checkpointDir: string) =>
  JSON.parse(readFileSync(join(checkpointDir, 'progress.json'), 'utf8')) as { done: string[] };

describe('local engine: a replayed batch that differs from the one that crashed', () => {
  const settings = { seed: 12, count: 1_000, keys: 5, intervalMs: 200, ...generatorDefaults };

  it('does not skip writes recorded for the old batch (the counter counts every event, the crashed batch twice)', async () => {
    // A counter: its writes are recorded as done (a repeat counts twice), unlike an upsert's or an archive's.
    const pipeline = source
      .generator(settings)
      .groupBy('sensorId')
      .count()
      .sink(embedded.counter({ table: 'counts', key: { s: 'key' }, counter: 'n' }));
    // Find a crash schedule that strikes in batch 3 once its counter write landed (before it was recorded).
    for (let seed = 1; seed < 60; seed++) {
      const { storeDir, checkpointDir } = await crashedInBatch3(pipeline.ir, seed);
      if (sum(tableCounts(new EmbeddedStore(storeDir), 'counts', 'n')) !== 300) continue;
      // What a crash a moment later leaves: batch 3's progress with its counter write recorded as done.
      const progress = progressIn(checkpointDir);
      expect(progress.done).toEqual([]);
      writeFileSync(join(checkpointDir, 'progress.json'), JSON.stringify({ ...progress, done: ['embedded.counts'] }));
      // Restart with bigger batches: the batch from the same start now ends elsewhere and covers more events.
      // Skipping its counter write (as if it were batch 3's) would lose the 50 events past batch 3's end;
      // writing it counts batch 3's 100 events twice: the counter's nature, not a loss.
      const { store } = await runWithRestarts(pipeline.ir, { storeDir, checkpointDir, batchSize: 150, seed, ...quiet });
      expect(sum(tableCounts(store, 'counts', 'n'))).toBe(settings.count + 100);
      return;
    }
    throw new Error('no seed crashed after the counter write of batch 3 landed');
  });

  it('records no archive or upsert write as done (their repeat leaves the same rows): no durable record on the batch path', async () => {
    const pipeline = source
      .generator(settings)
      .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
      .groupBy('sensorId')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }));
    // Seeds draw where in batch 3 the crash strikes: keep those where the archive write of batch 3 had landed.
    const landed: string[][] = [];
    for (let seed = 1; seed < 40 && landed.length < 3; seed++) {
      const { storeDir, checkpointDir } = await crashedInBatch3(pipeline.ir, seed);
      if (new EmbeddedStore(storeDir).table({ table: 'events' }).size > 200)
        landed.push(progressIn(checkpointDir).done);
    }
    expect(landed.length).toBeGreaterThan(0);
    for (const done of landed) expect(done).toEqual([]);
  });
});

describe('local engine: late data and repair', () => {
  it('records too late for the stream go to the late sink, and repair from the system of record counts them', async () => {
    const settings = { seed: 8, count: 3_000, keys: 4, intervalMs: 1_000, ...generatorDefaults, lateFraction: 0.05 };
    const pipeline = archivedSensorCounts(settings);
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(pipeline.ir, { store, batchSize: 100, ...quiet });
    expect(result.late).toBeGreaterThan(0);
    expect(
      store
        .table({ table: 'dead_letters' })
        .rows()
        .filter((r) => String(r.columns.reason).startsWith('late:')),
    ).toHaveLength(result.late);
    expect(sum(tableCounts(store, 'counts', 'n'))).toBe(settings.count - result.late);
    const repaired = await repair(pipeline.ir, { target: embeddedRepairTarget(store) });
    expect(repaired.corrected).toBeGreaterThan(0);
    expect(tableCounts(store, 'counts', 'n')).toEqual(countsByKeyAndWindow(settings, minute));
  });
});
