import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { FileCheckpoints } from '../../../runners/local/checkpoint.ts';
import { stateFolder, type StateChain } from '../../../runners/local/state-files.ts';
import { repoRoot } from '../../helpers/run-cli.ts';
import { AggregateNode, WindowNode } from '../../../compiler/ir/index.ts';
import { AggregationState, type StateSnapshot } from '../../../runners/local/aggregation-state.ts';
import { aggregatorFor } from '../../../runtime/aggregators.ts';
import {
  addBatch,
  checkpointBatches,
  expectedAfter,
  minute,
  sortedEntries,
  workloadState,
  type Workload,
} from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const stateFiles = (dir: string) => readdirSync(stateFolder(dir)).sort();
const loaded = (dir: string) => new FileCheckpoints(dir).load('workload')!;
const manifestChain = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { state: StateChain }).state;
const logOf = (dir: string) =>
  join(stateFolder(dir), `deltas-${String(manifestChain(dir).generation).padStart(8, '0')}.log`);

describe('incremental checkpoints: a delta a batch, a snapshot now and then', () => {
  it('after 2,000 batches (windows closing, composite keys, 40+ compactions) a fresh process restores exactly the in-memory state, at every point checked', () => {
    const dir = tempDir();
    const w: Workload = { keys: 400, eventsPerBatch: 60, stepMs: 6_000, compositeKeys: true };
    const store = new FileCheckpoints(dir, { compactAfterBytes: 8 * 1024, compactAfterDeltas: 50 });
    const state = workloadState();
    let compactions = 0;
    for (let from = 1; from <= 2_000; from += 400) {
      checkpointBatches(state, store, w, from, from + 399, (_, whole) => void (whole && compactions++));
      const restored = loaded(dir);
      expect(restored.batch).toBe(from + 399);
      expect(restored.state.watermark).toBe(state.watermark);
      expect(sortedEntries(restored.state)).toEqual(sortedEntries(state.snapshot()));
    }
    expect(compactions).toBeGreaterThanOrEqual(40);
    // Windows close: the state stays bounded (keys × open windows), not everything ever seen.
    expect(state.size).toBeLessThan(3 * 400);
    expect(sortedEntries(state.snapshot())).toEqual(sortedEntries(expectedAfter(w, 2_000)));
    // Only the committed generation is left: one snapshot and the log of deltas after it.
    const g = String(manifestChain(dir).generation).padStart(8, '0');
    expect(stateFiles(dir)).toEqual(
      [`deltas-${g}.log`, `snapshot-${g}.json`].slice(manifestChain(dir).deltas > 0 ? 0 : 1),
    );
    // Every batch is an fsync or three: on a loaded 2-core machine 2,000 of them outlast the default 30 s.
  }, 300_000);

  it('a batch that touches 10 of 100,000 keys writes a delta of about 10 entries, not the state (it wrote the whole state every batch)', () => {
    const dir = tempDir();
    const store = new FileCheckpoints(dir);
    const state = workloadState();
    checkpointBatches(state, store, { keys: 100_000, eventsPerBatch: 200_000, stepMs: 1 }, 1, 1);
    expect(state.size).toBeGreaterThan(80_000);
    const before = manifestChain(dir).logBytes;
    expect(before).toBeGreaterThan(1_000_000);
    checkpointBatches(state, store, { keys: 100_000, eventsPerBatch: 10, stepMs: 1 }, 2, 2);
    expect(manifestChain(dir).logBytes - before).toBeLessThan(600);
    expect(statSync(join(dir, 'checkpoint.json')).size).toBeLessThan(600);
    expect(sortedEntries(loaded(dir).state)).toEqual(sortedEntries(state.snapshot()));
  });

  it("a counter's open windows dropped at the end of its input leave the checkpoint too (a grown input must not count them again)", () => {
    const state = new AggregationState(
      aggregatorFor(AggregateNode.create({ op: 'count' })),
      WindowNode.create({ type: 'tumbling', sizeMs: minute, slideMs: minute, allowedLatenessMs: 0, emit: 'final' }),
      true,
    );
    const store = new FileCheckpoints(tempDir());
    for (let i = 0; i < 50; i++) state.add(`k${i % 5}`, i * 1_000, {});
    state.advanceWatermark();
    store.save({ pipeline: 'workload', batch: 1, position: 1, state: state.takeCheckpoint(false) });
    expect(store.load('workload')!.state.entries).toHaveLength(5);
    expect(state.drainOpen()).toHaveLength(5);
    store.save({ pipeline: 'workload', batch: 2, position: 2, state: state.takeCheckpoint(false) });
    expect(store.load('workload')!.state.entries).toEqual([]);
  });
});

/** The crash child's command line (see test/helpers/checkpoint-crash-child.ts). */
const childArgs = (dir: string, total: number, step: string, which: string, size = { keys: 300, events: 50 }) => [
  '--import',
  'tsx',
  'test/helpers/checkpoint-crash-child.ts',
  ...[dir, total, size.keys, size.events, step, which].map(String),
];

/** Runs the crash child: it resumes from `dir` and is killed at `step` of the save `which` names. */
function child(dir: string, total: number, step: string, which: string, size = { keys: 300, events: 50 }) {
  const r = spawnSync(process.execPath, childArgs(dir, total, step, which, size), {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { signal: r.signal, status: r.status, stderr: r.stderr };
}

const w: Workload = { keys: 300, eventsPerBatch: 50, stepMs: 6_000 };

describe('incremental checkpoints under kill -9', () => {
  it.each([
    ['state-written', 'batch:37', 36],
    ['manifest-written', 'batch:37', 36],
    ['committed', 'batch:37', 37],
  ])(
    'killed at %s of %s: the checkpoint is the last committed one, exact; the resumed run ends exact with nothing left over',
    (step, which, committed) => {
      const dir = tempDir();
      const killed = child(dir, 200, step, which);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const restored = loaded(dir);
      expect(restored.batch).toBe(committed);
      expect(sortedEntries(restored.state)).toEqual(sortedEntries(expectedAfter(w, committed)));
      const resumed = child(dir, 200, 'none', 'none');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(loaded(dir).batch).toBe(200);
      expect(sortedEntries(loaded(dir).state)).toEqual(sortedEntries(expectedAfter(w, 200)));
      expect(stateFiles(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    },
    60_000,
  );

  it.each(['state-written', 'state-renamed', 'manifest-written', 'committed'])(
    'killed at %s of a compaction (up to between its commit and the removal of the old generation): restore is exact, and the old files go at the next save',
    (step) => {
      const dir = tempDir();
      const killed = child(dir, 400, step, 'compaction:2');
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const restored = loaded(dir);
      expect(sortedEntries(restored.state)).toEqual(sortedEntries(expectedAfter(w, restored.batch)));
      const files = stateFiles(dir);
      // Killed before the old chain was removed: two snapshots, or a snapshot and its temp file, side by side.
      expect(files.filter((f) => f.startsWith('snapshot-')).length).toBeGreaterThanOrEqual(2);
      const resumed = child(dir, 400, 'none', 'none');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(sortedEntries(loaded(dir).state)).toEqual(sortedEntries(expectedAfter(w, 400)));
      expect(stateFiles(dir).filter((f) => f.startsWith('snapshot-'))).toHaveLength(1);
      expect(stateFiles(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    },
    60_000,
  );
});

describe('incremental checkpoints at 10⁶ keys', () => {
  it('killed with SIGKILL just after committing a compaction of ~1 million entries: restore is exact; resumed, it ends exact', () => {
    const dir = tempDir();
    const big = { keys: 1_000_000, events: 1_000_000 };
    const wBig: Workload = { keys: big.keys, eventsPerBatch: big.events, stepMs: 6_000 };
    // Batch 1 is one delta of every entry; batch 2 compacts (the log outgrew the 16 KiB floor) and is killed before the old log goes.
    const killed = child(dir, 3, 'committed', 'compaction:1', big);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(stateFiles(dir)).toEqual(['deltas-00000001.log', 'snapshot-00000002.json']);
    const restored = loaded(dir);
    expect(restored.batch).toBe(2);
    expect(restored.state.entries.length).toBeGreaterThan(900_000);
    const expected = workloadState();
    for (const batch of [1, 2]) addBatch(expected, wBig, batch);
    expectSameEntries(restored.state, expected.snapshot());
    const resumed = child(dir, 3, 'none', 'none', big);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(stateFiles(dir)).toEqual(['deltas-00000002.log', 'snapshot-00000002.json']);
    addBatch(expected, wBig, 3);
    expectSameEntries(loaded(dir).state, expected.snapshot());
  }, 600_000);
});

describe('kill -9 during a compaction at 10⁶ keys', () => {
  it('a SIGKILL from outside while the snapshot of ~630,000 entries is being written: restore is exact; resumed, it ends exact with no file left over', async () => {
    const big = { keys: 1_000_000, events: 1_000_000 };
    const wBig: Workload = { keys: big.keys, eventsPerBatch: big.events, stepMs: 6_000 };
    // The kill races the write: on a loaded machine this process may not look while the temp file exists, and
    // the child then ends normally. Such a try says nothing either way, so it is made again (at most five times).
    let killed: { dir: string; signal: NodeJS.Signals | null; stderr: string } | undefined;
    for (let attempt = 0; attempt < 5 && killed?.signal !== 'SIGKILL'; attempt++)
      killed = await killWhileSnapshotWritten(tempDir(), big);
    const { dir, signal, stderr } = killed!;
    expect(signal, stderr).toBe('SIGKILL');
    // Killed mid-compaction: its temp file there (written in part or whole), never renamed, the old chain committed.
    expect(stateFiles(dir)).toEqual(['deltas-00000001.log', 'snapshot-00000002.json.tmp']);
    const restored = loaded(dir);
    expect(restored.batch).toBe(1);
    const expected = workloadState();
    addBatch(expected, wBig, 1);
    expectSameEntries(restored.state, expected.snapshot());
    const resumed = child(dir, 3, 'none', 'none', big);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(stateFiles(dir)).toEqual(['deltas-00000002.log', 'snapshot-00000002.json']);
    for (const batch of [2, 3]) addBatch(expected, wBig, batch);
    expectSameEntries(loaded(dir).state, expected.snapshot());
  }, 600_000);
});

/**
 * Runs the crash child over `size` in `dir`: batch 1 is one delta of every entry; batch 2 compacts (the log
 * outgrew the 16 KiB floor), and the child is killed with SIGKILL from outside as soon as its temp file shows.
 */
async function killWhileSnapshotWritten(dir: string, size: { keys: number; events: number }) {
  const temp = join(stateFolder(dir), 'snapshot-00000002.json.tmp');
  const running = spawn(process.execPath, childArgs(dir, 3, 'none', 'none', size), {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  running.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const seen = setInterval(() => {
    if (existsSync(temp)) running.kill('SIGKILL');
  }, 1);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => running.on('exit', (_, s) => resolve(s)));
  clearInterval(seen);
  return { dir, signal, stderr };
}

/** The same (key, window) → value, compared through a map: sorting a million JSON strings is slower than the run. */
function expectSameEntries(actual: StateSnapshot, expected: StateSnapshot): void {
  const id = (e: StateSnapshot['entries'][number]) => `${String(e[0])}|${e[1]}`;
  const want = new Map(expected.entries.map((e) => [id(e), e[2]]));
  expect(actual.entries.length).toBe(want.size);
  let differ = 0;
  for (const e of actual.entries) if (want.get(id(e)) !== e[2]) differ++;
  expect(differ).toBe(0);
}

describe('damaged, foreign and older checkpoint folders', () => {
  /** A folder with a snapshot (batch 11) and the deltas of batches 12–15 in its log; returns the log's path. */
  function folder(): { dir: string; log: string } {
    const dir = tempDir();
    const store = new FileCheckpoints(dir, { compactAfterBytes: 1 << 20, compactAfterDeltas: 10 });
    checkpointBatches(workloadState(), store, w, 1, 15);
    expect(manifestChain(dir)).toMatchObject({ snapshot: true, deltas: 4 });
    return { dir, log: logOf(dir) };
  }
  const whatToDo = /Put back a good copy of that file .*or move .* aside and run again to start over/;

  it('a torn committed delta stops the restore naming the file, how much is missing and what to do', () => {
    const { dir, log } = folder();
    const text = readFileSync(log);
    writeFileSync(log, text.subarray(0, text.length - 7));
    expect(() => loaded(dir)).toThrow(
      new RegExp(`${log} is torn: it has \\d+ of the \\d+ bytes its checkpoint committed`),
    );
    expect(() => loaded(dir)).toThrow(whatToDo);
  });

  it('one flipped byte in a committed delta fails its checksum, naming the file, the record and the batch (it is never read as an empty state)', () => {
    const { dir, log } = folder();
    const text = readFileSync(log);
    text[text.length - 4]! ^= 1;
    writeFileSync(log, text);
    expect(() => loaded(dir)).toThrow(
      new RegExp(
        `${log} fails its checksum: its delta at byte \\d+ \\(batch 15\\) has SHA-256 [0-9a-f]{64}, its header says`,
      ),
    );
  });

  it('a torn delta never committed (a crash before checkpoint.json moved on) is ignored, then cut before the next append', () => {
    const { dir, log } = folder();
    const half = '{"layout":"idemflow-state/2","pipeline":"workload","kind":"delta","batch":16,"bytes":900';
    writeFileSync(log, Buffer.concat([readFileSync(log), Buffer.from(half)]));
    expect(sortedEntries(loaded(dir).state)).toEqual(sortedEntries(expectedAfter(w, 15)));
    const state = workloadState();
    state.restore(loaded(dir).state);
    checkpointBatches(state, new FileCheckpoints(dir), w, 16, 17);
    expect(readFileSync(log, 'utf8')).not.toContain(half);
    expect(sortedEntries(loaded(dir).state)).toEqual(sortedEntries(expectedAfter(w, 17)));
  });

  it("state from another pipeline's folder is refused, naming both pipelines", () => {
    const { dir, log } = folder();
    writeFileSync(log, readFileSync(log, 'utf8').replaceAll('"pipeline":"workload"', '"pipeline":"sensor-counts"'));
    expect(() => loaded(dir)).toThrow(/belongs to pipeline "sensor-counts", not "workload"/);
  });

  it('the runner, resuming over a flipped byte in the first delta (nothing whole before it), stops naming the file instead of starting from an empty state; fixed, it resumes exact', async () => {
    const dir = tempDir();
    const store = new EmbeddedStore(join(dir, 'store'));
    const checkpointDir = join(dir, 'ckpt');
    const pipeline = (count: number) =>
      source
        .generator({ seed: 3, count, keys: 2_000 })
        .groupBy('sensorId')
        .count()
        .sink(embedded.upsert({ table: 'n', key: { s: 'key' }, values: { n: 'value' } }))
        .named('gen');
    const run = (count: number) =>
      runLocal(pipeline(count).ir, { store, checkpointDir, batchSize: 500, log: () => {} });
    await run(5_000);
    const last = logOf(checkpointDir);
    const good = readFileSync(last);
    const bad = Buffer.from(good);
    bad[good.indexOf(0x0a) + 5]! ^= 1;
    writeFileSync(last, bad);
    await expect(run(6_000)).rejects.toThrow(new RegExp(`checkpoint state file ${last} fails its checksum: its delta`));
    writeFileSync(last, good);
    expect((await run(6_000)).recordsIn).toBe(1_000);
    const total = store
      .table({ table: 'n' })
      .rows()
      .reduce((a, r) => a + Number(r.columns.n), 0);
    expect(total).toBe(6_000);
  });

  it('a checkpoint.json of the older layout (the whole state inline) is refused, naming both layouts', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'checkpoint.json'),
      JSON.stringify({
        pipeline: 'workload',
        batch: 4,
        position: 4,
        state: { watermark: 0, entries: [['k', null, 3]] },
      }),
    );
    expect(() => loaded(dir)).toThrow(
      /has the older layout \(the whole state inside checkpoint.json.*\); this idemflow reads and writes layout "idemflow-checkpoint\/2"/,
    );
  });
});
