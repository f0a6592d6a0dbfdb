/**
 * The conformance suite: the same pipelines and inputs give identical sink
 * contents on every runner of the registry — the local runner (in
 * micro-batches), Beam's DirectRunner and Flink through Beam's job server
 * (started by the global setup) — compared with the default runner's. A
 * runner added to the registry joins the suite.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cassandra, embedded, sinks, sliding, source, tumbling, type Pipeline } from 'idemflow';
import { PipelineNode, type SinkNode } from '../../compiler/ir/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import demo from '../../pipelines/demo/sensor-aggregates.ts';
import { defaultRunner, runnerNames, type RunnerName } from '../../compiler/runner-catalogue.ts';
import { isOfFamily, loadRunner } from '../../runners/registry.ts';
import { parseFaults } from '../../runtime/faults.ts';
import type { MemorySinkContents } from '../../runtime/sinks/sink-writer.ts';
import { Reading } from '../helpers/fixtures.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { produceLines } from '../../connectors/kafka/produce.ts';
import { brokers, cassandraClient, runId, selectAll } from './servers.ts';
import { archived } from './archived.ts';
import { cassandraConnector } from '../../connectors/cassandra/connector.ts';

const minute = 60_000;
const runners = runnerNames;
type RunnerId = RunnerName;
/** The runners compared with the default one. */
const others = runners.filter((r) => r !== defaultRunner);
const beamRunners = runners.filter((r) => isOfFamily(r, 'beam'));

/** Every other runner's result equals the default runner's; a failure names the runner. */
function expectConformance<T>(results: Readonly<Record<RunnerId, T>>): void {
  for (const runner of others)
    expect({ runner, result: results[runner] }).toEqual({
      runner,
      result: results[defaultRunner],
    });
}

/** 3,000 readings from 7 sensors, in event-time order (no late data: the local runner's watermark and Beam's agree). */
const readings: Reading[] = Array.from({ length: 3_000 }, (_, i) => ({
  eventId: `r${i}`,
  sensorId: `s${(i * 7919) % 7}`,
  ts: 1_700_000_000_000 + i * 1_000,
  value: (i * 31) % 17,
}));

async function runOn(runner: RunnerId, pipeline: Pipeline, store: EmbeddedStore, extra: { faults?: string } = {}) {
  const faults = parseFaults(extra.faults);
  // batchSize and sleep are the local runner's (micro-batches, retry backoff); a Beam job takes the input whole.
  return (await loadRunner(runner)).run(pipeline.ir, {
    store,
    batchSize: 400,
    log: () => {},
    faults,
    sleep: async () => {},
  });
}

/** Every sink's contents, as sorted JSON: embedded tables by primary key, memory sinks by (key, window). */
function contents(pipeline: Pipeline, store: EmbeddedStore, memory: MemorySinkContents): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const tables = [...PipelineNode.sinks(pipeline.ir), { target: 'embedded', table: 'dead_letters' } as SinkNode];
  for (const sink of tables) {
    if (sink.target === 'memory')
      out[`memory:${sink.table ?? 'memory'}`] = [...(memory.get(sink.table ?? 'memory')?.entries() ?? [])]
        .map((e) => JSON.stringify(e))
        .sort();
    else
      out[`table:${sink.table}`] = store
        .table({ keyspace: sink.keyspace, table: sink.table! })
        .rows()
        .map((r) => JSON.stringify([r.key, r.columns]))
        .sort();
  }
  return out;
}

async function onEveryRunner(pipeline: () => Pipeline) {
  const results = {} as Record<RunnerId, Record<string, string[]>>;
  for (const runner of runners) {
    const store = new EmbeddedStore(tempDir());
    const result = await runOn(runner, pipeline(), store);
    results[runner] = contents(pipeline(), store, result.memory);
  }
  return results;
}

const cases: [string, () => Pipeline][] = [
  ['the demo: system of record + per-minute counts, 20,000 generated events', () => demo],
  [
    'sum per tumbling window',
    () =>
      source
        .memory(readings)
        .withEventTime((r) => r.ts)
        .window(tumbling(minute))
        .groupBy('sensorId')
        .sum('value')
        .sink(sinks.memory('sum')),
  ],
  [
    'min per sliding window',
    () =>
      source
        .memory(readings)
        .withEventTime((r) => r.ts)
        .window(sliding(3 * minute, minute))
        .groupBy('sensorId')
        .min('value')
        .sink(sinks.memory('min')),
  ],
  ['max, no window', () => source.memory(readings).groupBy('sensorId').max('value').sink(sinks.memory('max'))],
  [
    'avg per tumbling window',
    () =>
      source
        .memory(readings)
        .withEventTime((r) => r.ts)
        .window(tumbling(5 * minute))
        .groupBy('sensorId')
        .avg('value')
        .sink(sinks.memory('avg')),
  ],
  [
    'a custom combiner over a composite key from a function',
    () =>
      source
        .memory(readings)
        .groupBy((r) => [r.sensorId, r.value % 2 === 0 ? 'even' : 'odd'])
        .aggregate({
          init: () => ({ n: 0, top: 0 }),
          add: (a, r) => ({ n: a.n + 1, top: Math.max(a.top, r.value) }),
          merge: (a, b) => ({ n: a.n + b.n, top: Math.max(a.top, b.top) }),
        })
        .sink(sinks.memory('custom')),
  ],
  [
    'map, filter, flatMap without aggregation, upserted by event id',
    () =>
      source
        .memory(readings)
        .filter((r) => r.value > 3)
        .flatMap((r) => (r.value > 12 ? [r, { ...r, eventId: `${r.eventId}-copy` }] : [r]))
        .map((r) => ({ ...r, doubled: r.value * 2 }))
        .sink(
          embedded.upsert({
            table: 'mapped',
            key: { id: 'eventId' },
            values: { sensor: 'sensorId', doubled: 'doubled' },
          }),
        ),
  ],
  [
    "windows written once, when they close (emit: 'final')",
    () =>
      source
        .memory(readings)
        .withEventTime((r) => r.ts)
        .window(tumbling(minute, { emit: 'final' }))
        .groupBy('sensorId')
        .count()
        .sink(embedded.upsert({ table: 'final_counts', key: { s: 'key', ts: 'windowStart' }, values: { n: 'value' } })),
  ],
  [
    'a counter table',
    () =>
      source
        .memory(readings)
        .withEventTime((r) => r.ts)
        .window(tumbling(minute))
        .groupBy('sensorId')
        .count()
        .sink(embedded.counter({ table: 'ctr', key: { s: 'key', ts: 'windowStart' }, counter: 'n' })),
  ],
];

describe(`runner conformance: identical sink contents on ${runners.join(', ')}`, () => {
  it('the registry has runners to compare', () => {
    expect(others.length).toBeGreaterThan(0);
  });

  it.each(cases)(
    '%s',
    async (_name, pipeline) => {
      const results = await onEveryRunner(pipeline);
      expect(Object.values(results[defaultRunner]).some((rows) => rows.length > 0)).toBe(true);
      expectConformance(results);
    },
    120_000,
  );

  it('a file with malformed and invalid lines: the same dead letters (reason, raw, file:line) and aggregates', async () => {
    const file = join(tempDir(), 'readings.jsonl');
    const lines = readings.map((r, i) =>
      i % 97 === 5 ? '{not json' : i % 151 === 7 ? JSON.stringify({ ...r, value: 'high' }) : JSON.stringify(r),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const pipeline = () =>
      source
        .file(file, { format: 'jsonl' })
        .parse(Reading, { deadLetter: embedded.deadLetters({ table: 'bad_readings' }) })
        .archive(embedded.systemOfRecord({ table: 'readings', id: 'eventId' }))
        .withEventTime((r) => r.ts)
        .window(tumbling(2 * minute))
        .groupBy('sensorId')
        .sum('value')
        .sink(
          embedded.upsert({ table: 'sums', key: { sensor: 'key', ts: 'windowStart' }, values: { total: 'value' } }),
        );
    const results = await onEveryRunner(pipeline);
    const local = results[defaultRunner];
    expect(local['table:bad_readings']!.length).toBe(
      lines.filter((l) => l === '{not json' || l.includes('"high"')).length,
    );
    expect(local['table:bad_readings']!.some((row) => row.includes(`${file}:6`))).toBe(true);
    expectConformance(results);
  }, 120_000);

  it('a Kafka topic, read up to its end: the same dead letters (topic/partition/offset) and aggregates; offsets committed only after the sinks', async () => {
    const id = runId();
    const topic = `conformance-${id}`;
    const lines = readings.map((r, i) => (i % 211 === 3 ? '{"eventId": oops' : JSON.stringify(r)));
    await produceLines(brokers, topic, lines);
    const pipeline = (runner: RunnerId) =>
      source
        .kafka({ brokers, topic, groupId: `conformance-${runner}-${id}` })
        .parse(Reading, { deadLetter: embedded.deadLetters({ table: 'bad_readings' }) })
        .groupBy('sensorId')
        .sum('value')
        .sink(embedded.upsert({ table: 'sums', key: { sensor: 'key' }, values: { total: 'value' } }));
    const results = {} as Record<RunnerId, Record<string, string[]>>;
    for (const runner of runners) {
      const store = new EmbeddedStore(tempDir());
      const p = pipeline(runner);
      // untilIdleMs: the local runner reads a stream until it goes quiet; Beam reads the topic up to its end.
      const result = await (
        await loadRunner(runner)
      ).run(p.ir, { store, batchSize: 400, untilIdleMs: 3_000, log: () => {} });
      expect(result.recordsIn).toBe(lines.length);
      results[runner] = contents(p, store, result.memory);
    }
    expect(results[defaultRunner]['table:bad_readings']!.length).toBe(lines.filter((l) => l.includes('oops')).length);
    expect(results[defaultRunner]['table:bad_readings']![0]).toMatch(new RegExp(`${topic}/\\d/\\d+`));
    expectConformance(results);
    // The offsets were committed after the sinks: the same group reads nothing again.
    const beam = beamRunners[0]!;
    const again = await (
      await loadRunner(beam)
    ).run(pipeline(beam).ir, {
      store: new EmbeddedStore(tempDir()),
      log: () => {},
    });
    expect(again.recordsIn).toBe(0);
  }, 180_000);

  it('Cassandra sinks: the same rows in the real tables', async () => {
    const id = runId();
    const pipeline = (runner: RunnerId) =>
      source
        .memory(readings)
        .archive(
          cassandra.systemOfRecord({
            keyspace: 'idemflow_it',
            table: `conf_events_${runner.replace('-', '_')}_${id}`,
            id: 'eventId',
          }),
        )
        .withEventTime((r) => r.ts)
        .window(tumbling(minute))
        .groupBy('sensorId')
        .count()
        .sink(
          cassandra.upsert({
            keyspace: 'idemflow_it',
            table: `conf_counts_${runner.replace('-', '_')}_${id}`,
            key: { sensorid: 'key', ts: 'windowStart' },
            values: { measurements: 'value' },
          }),
        );
    const client = await cassandraClient();
    try {
      const { schemaCql, tableSchemas } = await import('../../connectors/cassandra/cql-schema.ts');
      const rows = {} as Record<RunnerId, string[]>;
      for (const runner of runners) {
        const p = pipeline(runner);
        for (const cql of schemaCql(tableSchemas(p.ir))) await client.execute(cql);
        const store = new EmbeddedStore(tempDir());
        await (
          await loadRunner(runner)
        ).run(p.ir, { store, batchSize: 400, log: () => {}, targets: [cassandraConnector(client)] });
        const counts = await selectAll(
          client,
          `SELECT sensorid, ts, measurements FROM idemflow_it.conf_counts_${runner.replace('-', '_')}_${id}`,
        );
        const events = await archived(client, 'idemflow_it', `conf_events_${runner.replace('-', '_')}_${id}`);
        rows[runner] = [...counts.map((r) => JSON.stringify(r)), `events=${events.length}`].sort();
      }
      expect(rows[defaultRunner]).toContain(`events=${readings.length}`);
      expectConformance(rows);
    } finally {
      await client.shutdown();
    }
  }, 180_000);
});

describe('the counter anti-pattern reproduced on Beam', () => {
  const truth = readings.length;
  const counted = (store: EmbeddedStore) =>
    store
      .table({ table: 'ctr' })
      .rows()
      .reduce((n, r) => n + Number(r.columns.n), 0);
  const counter = () =>
    source
      .memory(readings)
      .groupBy('sensorId')
      .count()
      .sink(embedded.counter({ table: 'ctr', key: { s: 'key' }, counter: 'n', retry: { retries: 5, backoffMs: 1 } }));
  const upsert = () =>
    source
      .memory(readings)
      .groupBy('sensorId')
      .count()
      .sink(
        embedded.upsert({
          table: 'ctr',
          key: { s: 'key' },
          values: { n: 'value' },
          retry: { retries: 5, backoffMs: 1 },
        }),
      );

  it.each(beamRunners)(
    '%s: lost acknowledgements make a retried counter count above the truth; an upsert stays exact',
    async (runner) => {
      const counterStore = new EmbeddedStore(tempDir());
      await runOn(runner, counter(), counterStore, { faults: 'lost-ack=0.5' });
      expect(counted(counterStore)).toBeGreaterThan(truth);
      const upsertStore = new EmbeddedStore(tempDir());
      await runOn(runner, upsert(), upsertStore, { faults: 'lost-ack=0.5' });
      expect(counted(upsertStore)).toBe(truth);
    },
    120_000,
  );
});
