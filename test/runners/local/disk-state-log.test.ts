import { appendFileSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AggregationState } from '../../../runners/local/aggregation-state.ts';
import { DiskCheckpoints, defaultStoreDir } from '../../../runners/local/disk-checkpoints.ts';
import { loadLmdb, type Lmdb, type StoreMergeOptions } from '../../../runners/local/state-store.ts';
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
const open = (dir: string, merge?: StoreMergeOptions) => DiskCheckpoints.open(lmdb, dir, 'workload', { merge });

/** The state a store's checkpoint holds, read back as a fresh process finds it. */
async function reopened(dir: string) {
  const files = open(dir);
  try {
    const state = workloadState(false, files.store);
    const head = files.restoreInto('workload', state);
    return { batch: head?.batch, entries: sortedEntries(state.snapshot()), size: state.size };
  } finally {
    await files.close();
  }
}

/** Bytes this process has passed to write(2) so far, all threads (LMDB's included). */
const written = () => Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

const logs = (dir: string) => readdirSync(defaultStoreDir(dir)).filter((n) => n.endsWith('.log'));

/** Batches `from`..`to`, each drained (as its sinks' rows are), checkpointed and saved. */
function run(state: AggregationState, files: DiskCheckpoints, w: Workload, from: number, to: number) {
  for (let batch = from; batch <= to; batch++) {
    addBatch(state, w, batch);
    state.drainChanged(false);
    files.save({ pipeline: 'workload', batch, position: batch, state: state.takeCheckpoint(false) });
    state.checkpointSaved();
  }
}

describe('--state disk: a checkpoint costs what changed (a delta log beside LMDB, merged now and then)', () => {
  it('1,000 keys changed among 100,000: a checkpoint writes under 300 bytes a changed key, not a 4 KiB LMDB page each', async () => {
    const dir = tempDir();
    const files = open(dir);
    const state = workloadState(false, files.store);
    const w: Workload = { keys: 100_000, eventsPerBatch: 1_000, stepMs: 1 };
    run(state, files, { ...w, eventsPerBatch: 300_000 }, 1, 1); // the store holds ~95,000 keys
    const before = written();
    let changed = 0;
    checkpointBatches(state, files, w, 2, 31, () => void 0);
    for (let b = 2; b <= 31; b++) changed += 1_000;
    const perKey = (written() - before) / changed;
    await files.close();
    // LMDB alone wrote ~2,800 B a changed key at 10⁵ keys (docs/benchmarks.md); the log's record is the key and its sum.
    expect(perKey).toBeLessThan(300);
    expect((await reopened(dir)).entries).toEqual(sortedEntries(expectedAfterMixed(w, 31)));
  }, 120_000);

  it('600 batches merged into LMDB every ~150 entries, windows closing, composite keys: every reopening equals the state in memory', async () => {
    const dir = tempDir();
    const w: Workload = { keys: 400, eventsPerBatch: 60, stepMs: 6_000, compositeKeys: true };
    for (const [from, to] of [
      [1, 200],
      [201, 450],
      [451, 600],
    ] as const) {
      const files = open(dir, { mergeAfterEntries: 150 });
      const state = workloadState(false, files.store);
      expect(files.restoreInto('workload', state)?.batch).toBe(from === 1 ? undefined : from - 1);
      run(state, files, w, from, to);
      expect(files.store.unmerged).toBeLessThan(150 + 60);
      await files.close();
      const back = await reopened(dir);
      const expected = expectedAfter(w, to);
      expect(back.batch).toBe(to);
      expect(back.entries).toEqual(sortedEntries(expected));
      expect(back.size).toBe(expected.entries.length);
      expect(logs(dir)).toHaveLength(1); // the merged logs are gone
    }
    expect(Number(/\d+/.exec(logs(dir)[0]!)![0])).toBeGreaterThan(50); // merged over and over
  }, 120_000);

  it('a key a batch reads from LMDB is looked up once: its checkpoint counts it as new or held by that read, not a second lookup', async () => {
    const lookups = { n: 0 };
    const dir = tempDir();
    // Batch 1 (~12,600 entries) goes straight into LMDB; batch 2 (~500) to the log.
    const merge = { mergeAfterEntries: 10_000 };
    const files = DiskCheckpoints.open(countingLookups(lmdb, lookups), dir, 'workload', { merge });
    const state = workloadState(false, files.store);
    const w: Workload = { keys: 20_000, eventsPerBatch: 500, stepMs: 1 };
    run(state, files, { ...w, eventsPerBatch: 20_000 }, 1, 1); // ~12,600 of the 20,000 keys stored
    lookups.n = 0;
    addBatch(state, w, 2);
    const touched = state.entriesInMemory; // each read from LMDB once, about a third of them absent
    expect(touched).toBeGreaterThan(400);
    expect(lookups.n).toBe(touched);
    state.drainChanged(false);
    files.save({ pipeline: 'workload', batch: 2, position: 2, state: state.takeCheckpoint(false) });
    state.checkpointSaved();
    expect(lookups.n).toBe(touched); // the commit looked none up again
    expect(state.entriesInMemory).toBe(0);
    await files.close();
    const back = await reopened(dir);
    expect(back.size).toBe(back.entries.length); // the counts of new keys stayed exact
  });

  /** A store of 20 logged checkpoints (no merge), and its log. */
  async function logged(): Promise<{ dir: string; log: string; w: Workload }> {
    const dir = tempDir();
    const w: Workload = { keys: 300, eventsPerBatch: 50, stepMs: 6_000 };
    const files = open(dir);
    run(workloadState(false, files.store), files, w, 1, 20);
    await files.close();
    return { dir, w, log: join(defaultStoreDir(dir), logs(dir)[0]!) };
  }

  it('a log whose last record is torn (a kill inside the append) or followed by zeros (a power loss) resumes at the checkpoint before, exactly, and goes on', async () => {
    const { dir, w, log } = await logged();
    const size = readFileSync(log).length;
    appendFileSync(log, Buffer.alloc(4096)); // the file grew, its data never written
    expect((await reopened(dir)).batch).toBe(20);
    truncateSync(log, size - 40);
    const back = await reopened(dir);
    expect(back.batch).toBe(19);
    expect(back.entries).toEqual(sortedEntries(expectedAfter(w, 19)));
    const files = open(dir);
    const state = workloadState(false, files.store);
    files.restoreInto('workload', state);
    run(state, files, w, 20, 25); // the torn bytes are cut before the next append
    await files.close();
    const resumed = await reopened(dir);
    expect(resumed.batch).toBe(25);
    expect(resumed.entries).toEqual(sortedEntries(expectedAfter(w, 25)));
  });

  it('a record damaged before others (not a crash: the disk) stops the run, naming the file, the damage and what to do', async () => {
    const { dir, log } = await logged();
    const bytes = readFileSync(log);
    const body = bytes.indexOf(0x0a) + 20; // inside the first record's body
    bytes[body] = bytes[body] === 0x31 ? 0x32 : 0x31;
    writeFileSync(log, bytes);
    expect(() => open(dir)).toThrow(
      new RegExp(
        `checkpoint state file ${log} fails its checksum: its delta at byte 0 \\(batch 1\\).*Put back a good copy`,
      ),
    );
  });
});

/** Batch 1 of 300,000 events, then batches of `w`: the state the first test builds. */
function expectedAfterMixed(w: Workload, batch: number) {
  const state = workloadState();
  addBatch(state, { ...w, eventsPerBatch: 300_000 }, 1);
  for (let b = 2; b <= batch; b++) addBatch(state, w, b);
  return state.snapshot();
}

/** lmdb, counting the reads of single keys (`get`, `doesExist`) in the databases a store opens. */
function countingLookups(real: Lmdb, lookups: { n: number }): Lmdb {
  const counted = <T extends object>(db: T): T =>
    new Proxy(db, {
      get(target, name) {
        const value = Reflect.get(target, name, target) as unknown;
        if (typeof value !== 'function') return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        return name === 'get' || name === 'doesExist'
          ? (...args: unknown[]) => {
              lookups.n++;
              return bound(...args);
            }
          : bound;
      },
    });
  return {
    open(options: object) {
      const root = real.open(options);
      const openDB = root.openDB.bind(root);
      return Object.assign(root, { openDB: (name: string, o?: object) => counted(openDB(name, o)) });
    },
  };
}
