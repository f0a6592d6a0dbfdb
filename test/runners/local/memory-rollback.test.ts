import { describe, expect, it } from 'vitest';
import { embedded, sliding, source, tumbling, type WindowSpec } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { noFaults, runLocal } from '../../../runners/local/index.ts';
import {
  addBatch,
  checkpointBatches,
  expectedAfter,
  sortedEntries,
  workloadState,
  type Workload,
} from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { generatorDefaults, tableCounts } from '../../helpers/truth.ts';

const minute = 60_000;

/** The watermark after batches 1..batch, from a state built without any checkpoint. */
function watermarkAfter(w: Workload, batch: number): number {
  const state = workloadState();
  for (let b = 1; b <= batch; b++) addBatch(state, w, b);
  return state.watermark;
}

describe('without a checkpoint folder, the state rolls itself back (no second copy of it)', () => {
  // Windows close every three batches: the batches rolled back evict windows and create keys.
  const w: Workload = { keys: 50, eventsPerBatch: 40, stepMs: 20_000 };

  it('to exactly the last saved checkpoint: past batches taken and never saved, and one not even taken; then on as if they had never been read', () => {
    const state = workloadState(true);
    const saving = { save: () => state.checkpointSaved(), wantsWholeState: () => false };
    checkpointBatches(state, saving, w, 1, 30);
    // The engine takes a batch's checkpoint before the previous one is acknowledged: 31 and 32 taken, not saved.
    checkpointBatches(state, { save: () => {}, wantsWholeState: () => false }, w, 31, 32);
    addBatch(state, w, 33);
    expect(sortedEntries(state.snapshot())).not.toEqual(sortedEntries(expectedAfter(w, 30)));
    state.rollback();
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 30)));
    expect(state.watermark).toBe(watermarkAfter(w, 30));
    checkpointBatches(state, saving, w, 31, 45);
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 45)));
    // Nothing unsaved: a rollback changes nothing.
    state.rollback();
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 45)));
  });

  it('twice in a row, and past windows dropped whole at the end of the input', () => {
    const state = workloadState(true);
    const saving = { save: () => state.checkpointSaved(), wantsWholeState: () => false };
    checkpointBatches(state, saving, w, 1, 10);
    addBatch(state, w, 11);
    state.rollback();
    addBatch(state, w, 11);
    expect(state.drainOpen().length).toBeGreaterThan(0);
    expect(state.size).toBe(0);
    state.rollback();
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 10)));
  });

  it('a state made without the journal refuses to roll back rather than keep a wrong state', () => {
    expect(() => workloadState().rollback()).toThrow(/rollbackable/);
  });

  // Sinks that fail for good (4 failed attempts, p = 0.75⁴ ≈ 0.32 a write) make batches replay: the rows must be the clean run's.
  it.each([
    ['tumbling', tumbling(minute)],
    ['sliding, emit final', sliding(2 * minute, minute, { emit: 'final' })],
  ] as [string, WindowSpec][])(
    'a run with replays ends with the rows of a run without faults (%s windows, late events)',
    async (_name, window) => {
      const settings = { seed: 12, count: 4_000, keys: 40, intervalMs: 700, ...generatorDefaults, lateFraction: 0.05 };
      const run = async (writeFail: number) => {
        const store = new EmbeddedStore(tempDir());
        const p = source
          .generator(settings)
          .withEventTime((e) => e.ts)
          .window(window)
          .groupBy('sensorId')
          .count()
          .sink(embedded.upsert({ table: 'counts', key: { s: 'key', w: 'windowStart' }, values: { n: 'value' } }));
        const result = await runLocal(p.ir, {
          store,
          batchSize: 150,
          faults: { ...noFaults, writeFail },
          seed: 5,
          maxReplays: 50,
          log: () => {},
          sleep: async () => {},
        });
        return { result, rows: tableCounts(store, 'counts', 'n') };
      };
      const clean = await run(0);
      const faulty = await run(0.75);
      expect(faulty.result.replays).toBeGreaterThan(3);
      expect(clean.rows.size).toBeGreaterThan(40);
      expect(faulty.rows).toEqual(clean.rows);
    },
  );
});
