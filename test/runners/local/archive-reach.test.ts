import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { covers, furthest } from '../../../runners/local/archive-reach.ts';
import { FileCheckpoints } from '../../../runners/local/checkpoint.ts';
import { embeddedRepairTarget, repair } from '../../../runners/local/index.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const state = { watermark: -Infinity, entries: [] };

/**
 * Kafka cuts batches by what each fetch brought: after a crash between a
 * batch's archive write and its checkpoint, the batches read again may end
 * elsewhere, and a clean stop can leave archived events past the checkpoint.
 * Found by the fault campaign on the real Kafka (`npm run bench -- faults`):
 * a repair with --checkpoint counted them in the state, the resumed stream
 * read them again, every row ended over the truth.
 */
describe('how far the system of record reaches past a checkpoint', () => {
  it('compares positions by partition, and lines or slots as numbers', () => {
    expect(covers({ 0: 25, 1: 20 }, { 0: 20, 1: 20 })).toBe(true);
    expect(covers({ 0: 25, 1: 12 }, { 0: 20, 1: 20 })).toBe(false);
    expect(covers({ 0: 25 }, { 0: 20, 1: 1 })).toBe(false);
    expect(covers(7, 7)).toBe(true);
    expect(covers(6, 7)).toBe(false);
    expect(furthest({ 0: 20, 1: 20 }, { 0: 25, 1: 12 })).toEqual({ 0: 25, 1: 20 });
  });

  it('orders WAL positions by segment, then offset (a later segment starts at a small offset)', () => {
    expect(covers({ segment: 2, offset: 10 }, { segment: 1, offset: 5_000 })).toBe(true);
    expect(covers({ segment: 1, offset: 5_000 }, { segment: 2, offset: 10 })).toBe(false);
    expect(covers({ segment: 2, offset: 10 }, { segment: 2, offset: 11 })).toBe(false);
    expect(furthest({ segment: 1, offset: 5_000 }, { segment: 2, offset: 10 })).toEqual({ segment: 2, offset: 10 });
  });

  it('a checkpoint after a crashed batch, cut differently, records the reach until a later one covers it', () => {
    const store = new FileCheckpoints(tempDir());
    const checkpoint = (batch: number, position: object) => store.save({ pipeline: 'p', batch, position, state });
    const batch = (batchStart: object, batchEnd: object) => store.saveProgress({ batchStart, batchEnd, done: [] });
    batch({ 0: 0, 1: 0 }, { 0: 10, 1: 10 });
    checkpoint(1, { 0: 10, 1: 10 });
    expect(store.load('p')?.archiveReach).toBeUndefined();
    batch({ 0: 10, 1: 10 }, { 0: 20, 1: 20 }); // archived, then the process died
    // The restart reads from batch 1's checkpoint; this time partition 0's fetch came first.
    const restarted = new FileCheckpoints(store.dir);
    restarted.saveProgress({ batchStart: { 0: 10, 1: 10 }, batchEnd: { 0: 25, 1: 12 }, done: [] });
    restarted.save({ pipeline: 'p', batch: 2, position: { 0: 25, 1: 12 }, state });
    expect(restarted.load('p')?.archiveReach).toEqual({ 0: 20, 1: 20 }); // partition 1 was archived to 20, checkpointed to 12
    restarted.saveProgress({ batchStart: { 0: 25, 1: 12 }, batchEnd: { 0: 30, 1: 21 }, done: [] });
    restarted.save({ pipeline: 'p', batch: 3, position: { 0: 30, 1: 21 }, state });
    expect(restarted.load('p')?.archiveReach).toBeUndefined();
  });

  it('repair --checkpoint refuses while the system of record reaches past the checkpoint, and names what to do', async () => {
    const dir = tempDir();
    const pipeline = source
      .memory([{ id: 'a', k: 'x' }])
      .archive(embedded.systemOfRecord({ table: 'events', id: 'id' }))
      .groupBy('k')
      .count()
      .sink(embedded.upsert({ table: 'counts', key: { k: 'key' }, values: { n: 'value' } }));
    const checkpoints = new FileCheckpoints(dir);
    checkpoints.saveProgress({ batchStart: 0, batchEnd: 5, done: [] });
    checkpoints.saveProgress({ batchStart: 0, batchEnd: 3, done: [] });
    checkpoints.save({ pipeline: pipeline.ir.name, batch: 1, position: 3, state });
    const target = embeddedRepairTarget(new EmbeddedStore(tempDir()));
    await expect(repair(pipeline.ir, { target, checkpointDir: dir })).rejects.toThrow(
      /holds events past its checkpoint .*Resume the stream until it has read past 5/,
    );
  });
});
