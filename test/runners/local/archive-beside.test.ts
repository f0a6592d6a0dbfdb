import { describe, expect, it } from 'vitest';
import { source, embedded } from 'idemflow';
import { archivesBeside } from '../../../runners/local/batch-writer.ts';
import {
  EmbeddedStore,
  embeddedRepairTarget,
  parseFaults,
  repair,
  runLocal,
  SimulatedCrash,
} from '../../../runners/local/index.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { archivedSensorCounts } from '../../helpers/pipelines.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { countsByKeyAndWindow, generatorDefaults, sum, tableCounts } from '../../helpers/truth.ts';

const settings = { seed: 19, count: 2_000, keys: 5, intervalMs: 1_000, ...generatorDefaults };
const pipeline = archivedSensorCounts(settings);

/**
 * A run killed in batch 4, as a kill -9 would: once the crash strikes, a write still waiting to be retried
 * never lands (its backoff ends in the dead process).
 */
async function killedRun(storeDir: string, checkpointDir: string, seed: number): Promise<void> {
  let killed = false;
  const run = runLocal(pipeline.ir, {
    store: new EmbeddedStore(storeDir),
    checkpointDir,
    batchSize: 100,
    seed,
    faults: parseFaults('crash-at=4,write-fail=0.4'),
    log: () => {},
    sleep: async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (killed) throw new Error('the process is dead');
    },
    crash: (batch) => {
      killed = true;
      throw new SimulatedCrash(batch);
    },
  });
  await expect(run).rejects.toBeInstanceOf(SimulatedCrash);
}

describe('the system of record written beside the aggregates', () => {
  it('a kill after the aggregates landed and before the archive did: the replay archives the batch; counts and repair are exact', async () => {
    // Seeds draw where the crash strikes and which writes fail first: find one where the counts landed, the archive not.
    for (let seed = 1; seed < 60; seed++) {
      const storeDir = tempDir();
      const checkpointDir = tempDir();
      await killedRun(storeDir, checkpointDir, seed);
      const killedStore = new EmbeddedStore(storeDir);
      const counted = sum(tableCounts(killedStore, 'counts', 'n'));
      // Batch 4's counts landed and its events did not: what serial writes (the archive first) never left.
      if (counted <= killedStore.table({ table: 'events' }).size) continue;

      const store = new EmbeddedStore(storeDir);
      const resumed = await runLocal(pipeline.ir, { store, checkpointDir, batchSize: 100, log: () => {} });
      expect(resumed.resumed?.afterBatch).toBe(3);
      expect(store.table({ table: 'events' }).size).toBe(settings.count);
      const truth = countsByKeyAndWindow(settings, 60_000);
      expect(tableCounts(store, 'counts', 'n')).toEqual(truth);
      const repaired = await repair(pipeline.ir, { target: embeddedRepairTarget(store) });
      expect(repaired.events).toBe(settings.count);
      expect(repaired.corrected).toBe(0);
      expect(tableCounts(store, 'counts', 'n')).toEqual(truth);
      return;
    }
    throw new Error('no seed killed the run after the counts landed and before the archive did');
  }, 60_000);

  it('only where the input gives a batch again after a crash: a socket archives first', () => {
    expect(archivesBeside(pipeline.ir)).toBe(true);
    const socket = source
      .socket({ host: '127.0.0.1', port: 1 })
      .parse(Reading)
      .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
      .groupBy('eventId')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { id: 'key' }, values: { n: 'value' } }));
    expect(archivesBeside(socket.ir)).toBe(false);
  });
});
