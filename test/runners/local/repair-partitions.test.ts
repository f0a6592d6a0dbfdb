import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, parseFaults, repair, runLocal } from '../../../runners/local/index.ts';
import { archivedSensorCounts } from '../../helpers/pipelines.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { countsByKeyAndWindow, generatorDefaults, tableCounts } from '../../helpers/truth.ts';

describe('repair worked a partition at a time on the embedded store', () => {
  it('a system-of-record log with replayed copies of events, split into partitions of 100 rows, repairs to the exact truth', async () => {
    const settings = { seed: 21, count: 12_000, keys: 300, intervalMs: 700, ...generatorDefaults };
    const pipeline = archivedSensorCounts(settings).ir;
    const store = new EmbeddedStore(tempDir());
    // Lost acknowledgements replay batches: the log holds events more than once, the store keeps one of each.
    const run = await runLocal(pipeline, {
      store,
      batchSize: 500,
      faults: parseFaults('lost-ack=0.4,loss=0.05,duplicate=0.05'),
      seed: 9,
      log: () => {},
    });
    expect(run.injected.lostAck).toBeGreaterThan(0);
    const logged = readFileSync(join(store.dir, 'embedded.events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
    expect(logged).toBeGreaterThan(settings.count);
    const truth = countsByKeyAndWindow(settings, 60_000);
    expect(truth.size).toBeGreaterThan(30 * 100);
    const result = await repair(pipeline, { target: embeddedRepairTarget(store), pageRows: 100 });
    expect(result.events).toBe(settings.count);
    expect(result.checked).toBe(truth.size);
    // Memory stays bounded: never more than 100 groups held at once, of the 3,000+ recomputed.
    expect(result.peakGroups).toBeLessThanOrEqual(100);
    expect(tableCounts(new EmbeddedStore(store.dir), 'counts', 'n')).toEqual(truth);
    expect((await repair(pipeline, { target: embeddedRepairTarget(store), pageRows: 100 })).corrected).toBe(0);
  }, 120_000);
});
