import { describe, expect, it } from 'vitest';
import { embedded, source, tumbling } from 'idemflow';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { parseFaults, runLocal } from '../../runners/local/index.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { SensorReading } from '../../pipelines/schemas.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults } from '../helpers/truth.ts';
import { brokers, runId } from './servers.ts';

const settings = { seed: 23, count: 3_000, keys: 10, intervalMs: 100, ...generatorDefaults };

describe('replays from Kafka after failed writes (real broker)', () => {
  it('a batch whose writes fail is read again from its offsets: nothing is lost, upserts end exact', async () => {
    const id = runId();
    const topic = `it-replay-${id}`;
    await produceLines(
      brokers,
      topic,
      Array.from({ length: settings.count }, (_, i) => JSON.stringify(generatedEvent(settings, i).event)),
    );
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-replay-${id}` })
      .parse(SensorReading)
      .withEventTime((r) => r.ts)
      .window(tumbling({ minutes: 1 }))
      .groupBy('sensorId')
      .count()
      .sink(
        embedded.upsert({
          table: 'counts',
          key: { sensor: 'key', ts: 'windowStart' },
          values: { n: 'value' },
          retry: { retries: 1, backoffMs: 0 },
        }),
      );
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(pipeline.ir, {
      store,
      batchSize: 250,
      untilIdleMs: 3_000,
      faults: parseFaults('write-fail=0.4'),
      seed: 5,
      log: () => {},
    });
    expect(result.replays).toBeGreaterThan(0);
    const total = [...store.table({ table: 'counts' }).rows()].reduce((a, r) => a + Number(r.columns.n), 0);
    expect(total).toBe(settings.count);
  }, 120_000);

  it('also when the very first batch fails, before any checkpoint', async () => {
    const id = runId();
    const topic = `it-replay-first-${id}`;
    await produceLines(
      brokers,
      topic,
      Array.from({ length: 600 }, (_, i) => JSON.stringify(generatedEvent(settings, i).event)),
    );
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-replay-first-${id}` })
      .parse(SensorReading)
      .groupBy('sensorId')
      .count()
      .sink(
        embedded.upsert({
          table: 'counts',
          key: { sensor: 'key' },
          values: { n: 'value' },
          retry: { retries: 1, backoffMs: 0 },
        }),
      );
    const store = new EmbeddedStore(tempDir());
    // One batch holds everything, and most of its attempts fail: it is replayed before any checkpoint exists.
    const result = await runLocal(pipeline.ir, {
      store,
      batchSize: 1_000,
      untilIdleMs: 3_000,
      faults: parseFaults('write-fail=0.9'),
      seed: 3,
      maxReplays: 100,
      log: () => {},
    });
    expect(result.replays).toBeGreaterThan(0);
    expect(result.batches).toBe(1);
    const total = [...store.table({ table: 'counts' }).rows()].reduce((a, r) => a + Number(r.columns.n), 0);
    expect(total).toBe(600);
  }, 120_000);
});

describe('replays from Kafka after failed writes, backlogs of many fetches per partition (real broker)', () => {
  it('200,000 records over both partitions, half of the writes failing: every record counted once', async () => {
    const id = runId();
    const topic = `it-replay-big-${id}`;
    const count = 200_000;
    const big = { ...settings, count, keys: 50 };
    await produceLines(
      brokers,
      topic,
      Array.from({ length: count }, (_, i) => JSON.stringify(generatedEvent(big, i).event)),
    );
    const pipeline = source
      .kafka({ brokers, topic, groupId: `it-replay-big-${id}` })
      .parse(SensorReading)
      .groupBy('sensorId')
      .count()
      .sink(
        embedded.upsert({
          table: 'counts',
          key: { sensor: 'key' },
          values: { n: 'value' },
          retry: { retries: 1, backoffMs: 0 },
        }),
      );
    const store = new EmbeddedStore(tempDir());
    const result = await runLocal(pipeline.ir, {
      store,
      batchSize: 3_000,
      untilIdleMs: 3_000,
      faults: parseFaults('write-fail=0.5'),
      seed: 11,
      maxReplays: 100,
      log: () => {},
    });
    expect(result.replays).toBeGreaterThan(10);
    const truth = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const key = String(generatedEvent(big, i).event.sensorId);
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }
    expect(
      new Map([...store.table({ table: 'counts' }).rows()].map((r) => [String(r.key[0]), Number(r.columns.n)])),
    ).toEqual(truth);
  }, 240_000);
});
