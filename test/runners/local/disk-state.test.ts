import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AggregateNode } from '../../../compiler/ir/index.ts';
import { AggregationState, type AggregateRowOut } from '../../../runners/local/aggregation-state.ts';
import { FileCheckpoints, type CheckpointToSave } from '../../../runners/local/checkpoint.ts';
import { DiskCheckpoints, defaultStoreDir } from '../../../runners/local/disk-checkpoints.ts';
import { loadLmdb } from '../../../runners/local/state-store.ts';
import { aggregatorFor } from '../../../runtime/aggregators.ts';
import {
  addBatch,
  checkpointBatches,
  expectedAfter,
  sortedEntries,
  workloadState,
  type Workload,
} from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const lmdb = await loadLmdb();
const open = (dir: string, pipeline = 'workload', storeDir?: string) =>
  DiskCheckpoints.open(lmdb, dir, pipeline, storeDir ? { storeDir } : {});

/**
 * Batches `from`..`to` in the engine's order: batch N+1 is read, and its
 * checkpoint taken, before batch N's checkpoint is saved (writes run while the
 * next batch is read). Each batch's changed rows are drained, as its sinks' rows are.
 */
function pipelined(
  state: AggregationState,
  store: DiskCheckpoints,
  w: Workload,
  from: number,
  to: number,
  onSaved?: (batch: number) => void,
): void {
  let pending: CheckpointToSave | undefined;
  const save = (c: CheckpointToSave) => {
    store.save(c);
    state.checkpointSaved();
    onSaved?.(c.batch);
  };
  for (let batch = from; batch <= to; batch++) {
    addBatch(state, w, batch);
    state.drainChanged(false); // the batch's rows, handed to its sinks
    const taken = state.takeCheckpoint(store.wantsWholeState());
    if (pending) save(pending);
    pending = { pipeline: 'workload', batch, position: batch, state: taken };
  }
  if (pending) save(pending);
}

/** The state a store holds, read back through a fresh process's view of it. */
async function reopened(dir: string, storeDir?: string) {
  const store = open(dir, 'workload', storeDir);
  try {
    const state = workloadState(false, store.store);
    const head = store.restoreInto('workload', state);
    return { head, snapshot: state.snapshot(), size: state.size };
  } finally {
    await store.close();
  }
}

describe('--state disk: keyed state in an LMDB store, behind the state interface', () => {
  it('600 batches with windows closing and composite keys, checkpoints saved a batch late as the engine does: the store equals the state computed in memory, and memory holds only what changed', async () => {
    const dir = tempDir();
    const w: Workload = { keys: 400, eventsPerBatch: 60, stepMs: 6_000, compositeKeys: true };
    const store = open(dir);
    const state = workloadState(false, store.store);
    let maxInMemory = 0;
    pipelined(state, store, w, 1, 600, () => (maxInMemory = Math.max(maxInMemory, state.entriesInMemory)));
    const expected = expectedAfter(w, 600);
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expected));
    expect(state.size).toBe(expected.entries.length);
    await store.close();
    const back = await reopened(dir);
    expect(back.head?.batch).toBe(600);
    expect(sortedEntries(back.snapshot)).toEqual(sortedEntries(expected));
    expect(back.size).toBe(expected.entries.length);
    // Two batches of at most 60 events each are pending at a save: memory never holds the ~1,000 entries of the state.
    expect(maxInMemory).toBeLessThanOrEqual(120);
    expect(expected.entries.length).toBeGreaterThan(500);
  }, 120_000);

  it('a batch that touches 10 of 100,000 keys keeps 10 entries in memory, not 100,000; a fresh process reads the rest from the store', async () => {
    const dir = tempDir();
    const store = open(dir);
    const state = workloadState(false, store.store);
    const w = { keys: 100_000, stepMs: 1 };
    pipelined(state, store, { ...w, eventsPerBatch: 200_000 }, 1, 1);
    expect(state.size).toBeGreaterThan(80_000);
    expect(state.entriesInMemory).toBe(0);
    // One mapping of the store, however it grew: each mapping's resident pages count in RSS (it had 6 at 10⁷ keys).
    const mappings = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((l) => l.endsWith(join(defaultStoreDir(dir), 'state.mdb')));
    expect(mappings).toHaveLength(1);
    pipelined(state, store, { ...w, eventsPerBatch: 10 }, 2, 2);
    expect(state.entriesInMemory).toBe(0);
    addBatch(state, { ...w, eventsPerBatch: 10 }, 3);
    expect(state.entriesInMemory).toBeLessThanOrEqual(10);
    await store.close();
    const expected = workloadState();
    for (const batch of [1, 2]) addBatch(expected, { ...w, eventsPerBatch: batch === 1 ? 200_000 : 10 }, batch);
    expect(sortedEntries((await reopened(dir)).snapshot)).toEqual(sortedEntries(expected.snapshot()));
  }, 120_000);

  it('a checkpoint taken and never saved (the process died before its commit) leaves the store at the one before, exactly', async () => {
    const dir = tempDir();
    const w: Workload = { keys: 300, eventsPerBatch: 50, stepMs: 6_000 };
    const store = open(dir);
    const state = workloadState(false, store.store);
    pipelined(state, store, w, 1, 40);
    addBatch(state, w, 41);
    state.takeCheckpoint(false); // taken, never saved
    await store.close();
    const back = await reopened(dir);
    expect(back.head?.batch).toBe(40);
    expect(sortedEntries(back.snapshot)).toEqual(sortedEntries(expectedAfter(w, 40)));
  });

  it("a failed batch's restore drops what memory changed since the last commit and reads the store again", async () => {
    const dir = tempDir();
    const w: Workload = { keys: 50, eventsPerBatch: 200, stepMs: 6_000 };
    const store = open(dir);
    const state = workloadState(false, store.store);
    pipelined(state, store, w, 1, 5);
    addBatch(state, w, 6);
    addBatch(state, w, 7);
    expect(store.restoreInto('workload', state)?.batch).toBe(5);
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 5)));
    pipelined(state, store, w, 6, 9);
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 9)));
    await store.close();
  });

  it('emit final: a closing window writes the rows of every key, those only in the store included, as the state in memory does', async () => {
    const w: Workload = { keys: 200, eventsPerBatch: 40, stepMs: 6_000 };
    const store = open(tempDir());
    const disk = workloadState(false, store.store, 'final');
    const memory = workloadState(false, undefined, 'final');
    const rowId = (r: AggregateRowOut) => JSON.stringify([r.key, r.windowStart, r.value]);
    const fromDisk: string[] = [];
    const fromMemory: string[] = [];
    for (let batch = 1; batch <= 100; batch++) {
      addBatch(memory, w, batch);
      fromMemory.push(...memory.drainClosed().map(rowId));
      addBatch(disk, w, batch);
      fromDisk.push(...disk.drainClosed().map(rowId));
      store.save({ pipeline: 'workload', batch, position: batch, state: disk.takeCheckpoint(false) });
      disk.checkpointSaved();
    }
    expect(fromMemory.length).toBeGreaterThan(1_000);
    expect(fromDisk.sort()).toEqual(fromMemory.sort());
    expect(disk.openRows().map(rowId).sort()).toEqual(memory.openRows().map(rowId).sort());
    await store.close();
  });

  it('keys of every type stay apart as in a Map: 5 and "5", true and "true", null, composites, and keys longer than LMDB allows', async () => {
    const dir = tempDir();
    const store = open(dir);
    const count = aggregatorFor(AggregateNode.create({ op: 'count' }));
    const state = new AggregationState(count, undefined, false, false, store.store);
    const long = 'x'.repeat(5_000);
    const keys: unknown[] = [5, '5', true, 'true', null, 'null', { s: 'a', n: 1 }, [1, 2], long, `${long}y`, -1.5, ''];
    keys.forEach((key, i) => {
      for (let n = 0; n <= i; n++) state.add(key, undefined, {});
    });
    state.advanceWatermark();
    state.drainChanged(false);
    store.save({ pipeline: 'workload', batch: 1, position: 1, state: state.takeCheckpoint(false) });
    state.checkpointSaved();
    expect(state.entriesInMemory).toBe(0);
    keys.forEach((key) => state.add(key, undefined, {}));
    await store.close();
    const again = open(dir);
    const back = new AggregationState(count, undefined, false, false, again.store);
    again.restoreInto('workload', back);
    const byKey = new Map(back.openRows().map((r) => [JSON.stringify(r.key) + typeof r.key, r.value]));
    expect(byKey).toEqual(new Map(keys.map((key, i) => [JSON.stringify(key) + typeof key, i + 1])));
    await again.close();
  });
});

describe('--state disk: folders and stores that do not belong together are refused, naming both', () => {
  it('a store written for another pipeline', async () => {
    const storeDir = join(tempDir(), 'shared-store');
    const first = open(tempDir(), 'counts-a', storeDir);
    await first.close();
    expect(() => open(tempDir(), 'counts-b', storeDir)).toThrow(
      `the state store ${storeDir} holds the state of pipeline "counts-a", not "counts-b"`,
    );
  });

  it('a folder whose state is in memory-layout files, and the other way round', async () => {
    const files = tempDir();
    checkpointBatches(workloadState(), new FileCheckpoints(files), { keys: 10, eventsPerBatch: 10, stepMs: 1 }, 1, 2);
    expect(() => open(files)).toThrow(
      /keeps its keyed state in files \(layout "idemflow-checkpoint\/2", state in memory\); this run keeps it on disk \(--state disk, layout "idemflow-checkpoint\/disk-1"\)\. Run again without --state disk/,
    );
    const disk = tempDir();
    const store = open(disk);
    pipelined(workloadState(false, store.store), store, { keys: 10, eventsPerBatch: 10, stepMs: 1 }, 1, 2);
    await store.close();
    expect(() => new FileCheckpoints(disk).head('workload')).toThrow(
      `keeps its keyed state on disk (layout "idemflow-checkpoint/disk-1", in the store state-lmdb); this run keeps it in memory (layout "idemflow-checkpoint/2"). Run again with --state disk to resume it`,
    );
  });

  it('a store of another checkpoint folder, a store moved away, and a folder pointed at another store', async () => {
    const storeDir = join(tempDir(), 'store');
    const a = tempDir();
    const first = open(a, 'workload', storeDir);
    pipelined(workloadState(false, first.store), first, { keys: 10, eventsPerBatch: 10, stepMs: 1 }, 1, 3);
    await first.close();
    const b = tempDir();
    expect(() => open(b, 'workload', storeDir)).toThrow(
      `the state store ${storeDir} holds the checkpoint of another folder (pipeline "workload", after batch 3), and ${b} has none`,
    );
    expect(() => open(a)).toThrow(
      `checkpoint in ${a} keeps its keyed state in the store ${storeDir}, not ${defaultStoreDir(a)}`,
    );
    rmSync(storeDir, { recursive: true });
    expect(() => open(a, 'workload', storeDir)).toThrow(
      `checkpoint in ${a} keeps its keyed state in the store ${storeDir}, which is missing or empty`,
    );
  });

  it('a store whose layout is not this one', async () => {
    const dir = tempDir();
    const made = open(dir);
    await made.close();
    // Rewrite the identity as an older idemflow would have left it.
    const root = lmdb.open({ path: join(defaultStoreDir(dir), 'state.mdb') });
    const meta = root.openDB('meta');
    root.transactionSync(() =>
      meta.putSync('identity', { ...(meta.get('identity') as object), layout: 'idemflow-state-lmdb/0' }),
    );
    await root.close();
    expect(() => open(dir)).toThrow(
      `the state store ${defaultStoreDir(dir)} has layout "idemflow-state-lmdb/0"; this idemflow reads and writes "idemflow-state-lmdb/2"`,
    );
  });

  it('a store of layout 1 (before the delta log) resumes, and is marked layout 2 so that an idemflow reading no log refuses it', async () => {
    const dir = tempDir();
    const w: Workload = { keys: 50, eventsPerBatch: 100, stepMs: 6_000 };
    // Every checkpoint merged into LMDB at once: no log, as layout 1 kept its state.
    const made = DiskCheckpoints.open(lmdb, dir, 'workload', { merge: { mergeAfterEntries: 1 } });
    const state = workloadState(false, made.store);
    pipelined(state, made, w, 1, 3);
    await made.close();
    expect(readdirSync(defaultStoreDir(dir)).filter((n) => n.endsWith('.log'))).toEqual([]);
    const root = lmdb.open({ path: join(defaultStoreDir(dir), 'state.mdb') });
    const meta = root.openDB('meta');
    const layout = () => (meta.get('identity') as { layout: string }).layout;
    root.transactionSync(() =>
      meta.putSync('identity', { ...(meta.get('identity') as object), layout: 'idemflow-state-lmdb/1' }),
    );
    const back = await reopened(dir);
    expect(back.head?.batch).toBe(3);
    expect(sortedEntries(back.snapshot)).toEqual(sortedEntries(expectedAfter(w, 3)));
    expect(layout()).toBe('idemflow-state-lmdb/2');
    await root.close();
  });

  it('a folder whose checkpoint.json is another layout named by a store pointer is never read as empty', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'checkpoint.json'),
      JSON.stringify({ layout: 'idemflow-checkpoint/9', pipeline: 'workload' }),
    );
    expect(() => open(dir)).toThrow(/keeps its keyed state in files \(layout "idemflow-checkpoint\/9"\)/);
  });

  it('without lmdb installed: one line that says to install it', async () => {
    await expect(loadLmdb('lmdb-that-is-not-installed')).rejects.toThrow(
      /^install lmdb to use --state disk \(npm install lmdb@3\.5\.6\)/,
    );
  });
});
