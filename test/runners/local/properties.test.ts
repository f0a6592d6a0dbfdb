import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embedded, source, tumbling } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, repair, runWithRestarts } from '../../../runners/local/index.ts';
import type { FaultSpec } from '../../../runtime/faults.ts';
import { archivedSensorCounts } from '../../helpers/pipelines.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { countsByKeyAndWindow, generatorDefaults, sum, tableCounts } from '../../helpers/truth.ts';

const minute = 60_000;
const settings = { seed: 21, count: 2_400, keys: 6, intervalMs: 250, ...generatorDefaults };
const batchSize = 200; // 12 batches
const truth = countsByKeyAndWindow(settings, minute);
const quiet = { log: () => {}, sleep: async () => {} };

const idempotentSor = archivedSensorCounts(settings);

const counters = source
  .generator(settings)
  .withEventTime((e) => e.ts)
  .window(tumbling(minute))
  .groupBy('sensorId')
  .count()
  .sink(embedded.counter({ table: 'counters', key: { s: 'key', ts: 'windowStart' }, counter: 'n' }));

const crashPoints = fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 3 });
const probability = (max: number) => fc.double({ min: 0, max, noNaN: true });

async function run(pipeline: typeof idempotentSor, faults: FaultSpec, seed: number) {
  return runWithRestarts(pipeline.ir, {
    storeDir: tempDir(),
    checkpointDir: tempDir(),
    batchSize,
    faults,
    seed,
    ...quiet,
  });
}

describe('local runner properties (random crash points and fault schedules)', () => {
  it('idempotent + system of record ends equal to the truth with no repair when nothing is lost or duplicated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(10_000),
        probability(0.3),
        probability(0.3),
        crashPoints,
        async (seed, writeFail, lostAck, crashAt) => {
          const { store, crashes } = await run(
            idempotentSor,
            { writeFail, lostAck, crashAt, duplicate: 0, loss: 0 },
            seed,
          );
          expect([...crashes].sort()).toEqual([...crashAt].sort());
          expect(tableCounts(store, 'counts', 'n')).toEqual(truth);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('idempotent + system of record ends equal to the truth after repair, whatever was lost in flight or duplicated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(10_000),
        probability(0.2),
        probability(0.2),
        crashPoints,
        probability(0.05),
        probability(0.05),
        async (seed, writeFail, lostAck, crashAt, loss, duplicate) => {
          const { store, result } = await run(idempotentSor, { writeFail, lostAck, crashAt, duplicate, loss }, seed);
          // Loss alone undercounts and duplicates alone overcount; together they could cancel out.
          if (result.lost > 0 !== result.injected.duplicate > 0)
            expect(tableCounts(store, 'counts', 'n')).not.toEqual(truth);
          const fixed = await repair(idempotentSor.ir, { target: embeddedRepairTarget(new EmbeddedStore(store.dir)) });
          expect(fixed.events).toBe(settings.count);
          expect(tableCounts(new EmbeddedStore(store.dir), 'counts', 'n')).toEqual(truth);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a counter sink under lost acknowledgements ends above the truth: the anti-pattern, reproduced', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(10_000),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        crashPoints,
        async (seed, lostAck, crashAt) => {
          const { store, result } = await run(
            counters,
            { writeFail: 0, lostAck, crashAt, duplicate: 0, loss: 0 },
            seed,
          );
          const total = sum(tableCounts(store, 'counters', 'n'));
          expect(total).toBeGreaterThanOrEqual(settings.count);
          // Every lost acknowledgement re-applies a batch of positive deltas.
          if (result.injected.lostAck > 0) expect(total).toBeGreaterThan(settings.count);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('one fixed schedule, for the record: counters overcount, the idempotent design does not', async () => {
    const faults = { writeFail: 0.05, lostAck: 0.2, crashAt: [5], duplicate: 0, loss: 0 };
    const c = await run(counters, faults, 3);
    const i = await run(idempotentSor, faults, 3);
    expect(c.result.injected.lostAck).toBeGreaterThan(0);
    expect(sum(tableCounts(c.store, 'counters', 'n'))).toBeGreaterThan(settings.count);
    expect(sum(tableCounts(i.store, 'counts', 'n'))).toBe(settings.count);
  });
});
