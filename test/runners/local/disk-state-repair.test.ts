import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { embeddedRepairTarget, parseFaults, repair, runLocal, SimulatedCrash } from '../../../runners/local/index.ts';
import { orderedPipeline, orderInput, orderTruth, type StepLetter } from '../../helpers/step-orders.ts';
import { embeddedOrderTables as tables, orderCounts as counts, totalOf as total } from '../../helpers/order-counts.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/**
 * `repair --checkpoint` on a folder whose keyed state is in a store (`--state disk`): it refused the folder by its
 * layout. Through the CLI: repair-checkpoint.test.ts, the reported case in both layouts.
 */
const order: StepLetter[] = ['A', 'E'];

describe('repair --checkpoint with the keyed state in a store (--state disk)', () => {
  it.each([
    ['in the checkpoint folder', false, false],
    ['in a folder of its own (--state disk:<dir>), windowed', true, true],
  ])(
    'the store %s: duplicates repaired in rows and store; more input resumed ends exact, not recounting them',
    async (_, ownStore, windowed) => {
      const dir = tempDir();
      const input = join(dir, 'input.jsonl');
      const store = new EmbeddedStore(join(dir, 'store'));
      const checkpointDir = join(dir, 'ckpt');
      const state = { kind: 'disk' as const, ...(ownStore ? { dir: join(dir, 'lmdb') } : {}) };
      const pipeline = orderedPipeline(order, input, tables, windowed).ir;
      const first = orderInput(input, 1_500, 'd', 9);
      const run = (faults = '') =>
        runLocal(pipeline, {
          store,
          checkpointDir,
          batchSize: 130,
          state,
          faults: parseFaults(faults),
          seed: 3,
          log: () => {},
        });
      await run('duplicate=0.1');
      expect(total(counts(store.dir))).toBeGreaterThan(1_500);
      const target = embeddedRepairTarget(store);
      // A dry run reports what differs and rewrites nothing.
      const dry = await repair(pipeline, { target, checkpointDir, dryRun: true });
      expect(dry.state!.changed).toBeGreaterThan(0);
      expect(total(counts(store.dir))).toBeGreaterThan(1_500);
      const repaired = await repair(pipeline, { target, checkpointDir });
      expect(repaired.state).toEqual(dry.state);
      expect(counts(store.dir)).toEqual(orderTruth(order, first, windowed));
      // The store now holds the repaired values: a second repair finds nothing to change.
      const again = await repair(pipeline, { target, checkpointDir, dryRun: true });
      expect(again.state!.changed).toBe(0);
      const more = orderInput(input, 400, 'd', 9, first.length);
      const resumed = await run();
      expect(resumed.recordsIn).toBe(400);
      expect(counts(store.dir)).toEqual(orderTruth(order, [...first, ...more], windowed));
      expect(existsSync(join(checkpointDir, 'repair-pending.json'))).toBe(false);
    },
    120_000,
  );

  it('a stream that stopped mid-batch is refused as with state in memory; resumed to its end, it repairs', async () => {
    const dir = tempDir();
    const input = join(dir, 'input.jsonl');
    const store = new EmbeddedStore(join(dir, 'store'));
    const checkpointDir = join(dir, 'ckpt');
    const pipeline = orderedPipeline(order, input, tables).ir;
    const first = orderInput(input, 600, 'm');
    const crash = (batch: number): never => {
      throw new SimulatedCrash(batch);
    };
    const run = (faults: string) =>
      runLocal(pipeline, {
        store,
        checkpointDir,
        batchSize: 100,
        state: { kind: 'disk' },
        faults: parseFaults(faults),
        crash,
        log: () => {},
      });
    await expect(run('duplicate=0.2,crash-at=3')).rejects.toBeInstanceOf(SimulatedCrash);
    const target = embeddedRepairTarget(store);
    await expect(repair(pipeline, { target, checkpointDir })).rejects.toThrow(/stopped in the middle of a batch/);
    await run('');
    await repair(pipeline, { target, checkpointDir });
    expect(counts(store.dir)).toEqual(orderTruth(order, first));
  }, 60_000);
});
