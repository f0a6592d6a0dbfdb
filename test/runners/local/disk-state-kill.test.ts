import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskCheckpoints } from '../../../runners/local/disk-checkpoints.ts';
import { loadLmdb } from '../../../runners/local/state-store.ts';
import { killRunSettings } from '../../helpers/disk-state-kill.ts';
import { repoRoot } from '../../helpers/run-cli.ts';
import { addBatch, workloadState, type Workload } from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { countsByKeyAndWindow } from '../../helpers/truth.ts';

// 20,000 events, 1,500 sensors, batches of 500: 40 batches, and one-minute windows closing every ~3 batches.
const events = 20_000;
const keys = 1_500;
const truth = countsByKeyAndWindow(killRunSettings(events, keys), 60_000);

const childArgs = (dir: string, mode: string, kill: string) => [
  '--import',
  'tsx',
  'test/helpers/disk-state-run-child.ts',
  join(dir, 'ckpt'),
  join(dir, 'rows.jsonl'),
  mode,
  String(events),
  String(keys),
  kill,
];

function child(dir: string, mode: string, kill: string) {
  const r = spawnSync(process.execPath, childArgs(dir, mode, kill), {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { signal: r.signal, status: r.status, stderr: r.stderr };
}

/** What the sink holds: the last row written for each (key, window), as an upsert leaves it. */
function sinkRows(dir: string): Map<string, number> {
  const path = join(dir, 'rows.jsonl');
  const rows = new Map<string, number>();
  if (!existsSync(path)) return rows;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const row = JSON.parse(line) as { key: string; windowStart: number; value: number };
    rows.set(JSON.stringify([row.key, row.windowStart]), row.value);
  }
  return rows;
}

describe('--state disk under kill -9: converges exactly, like state in memory', () => {
  it.each([
    ['memory', 'before-write:9'],
    ['disk', 'before-write:9'],
    ['memory', 'after-write:9'],
    ['disk', 'after-write:9'],
    ['memory', 'after-commit:9'],
    ['disk', 'after-commit:9'],
  ])(
    'state in %s, SIGKILL %s (after a commit before the next write / after a write before its commit): the resumed run ends exact',
    (mode, kill) => {
      const dir = tempDir();
      const killed = child(dir, mode, kill);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      const resumed = child(dir, mode, 'none');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(sinkRows(dir)).toEqual(truth);
      // The state was where the run was asked to keep it: an LMDB store in the checkpoint folder, or none.
      expect(existsSync(join(dir, 'ckpt', 'state-lmdb', 'state.mdb'))).toBe(mode === 'disk');
    },
    120_000,
  );

  it('state on disk, SIGKILLed from outside at random moments once it writes, six times (inside the store transaction, a write, anywhere): the last run ends exact', async () => {
    const dir = tempDir();
    const rows = join(dir, 'rows.jsonl');
    const size = () => (existsSync(rows) ? statSync(rows).size : 0);
    let killedWhileWriting = 0;
    for (let round = 0; round < 6; round++) {
      const before = size();
      const running = spawn(process.execPath, childArgs(dir, 'disk', 'none'), {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      running.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => running.on('exit', (_, s) => resolve(s)));
      // Once this round's first rows landed (the run is past its start-up), a kill at a moment that varies by round,
      // short enough to land before the run ends: with 0-400 ms, a fast run finished in round 2 (2 kills, not 3).
      const delay = (round * 37) % 150;
      const watch = setInterval(() => {
        if (size() > before) {
          clearInterval(watch);
          setTimeout(() => running.kill('SIGKILL'), delay);
        }
      }, 5);
      const signal = await exited;
      clearInterval(watch);
      if (signal === 'SIGKILL') killedWhileWriting++;
      else {
        // The run got to its end before the kill: nothing is left for later rounds to interrupt.
        expect(stderr).toBe('');
        break;
      }
    }
    expect(killedWhileWriting).toBeGreaterThanOrEqual(2);
    const last = child(dir, 'disk', 'none');
    expect(last.status, last.stderr).toBe(0);
    expect(sinkRows(dir)).toEqual(truth);
  }, 300_000);
});

describe('--state disk at 10⁶ keys', () => {
  const big: Workload = { keys: 1_000_000, eventsPerBatch: 700_000, stepMs: 6_000 };
  const bigChild = (dir: string) => [
    '--import',
    'tsx',
    'test/helpers/disk-checkpoint-crash-child.ts',
    ...[dir, 2, big.keys, big.eventsPerBatch].map(String),
  ];

  /** The store's committed head and entries (key|window → value), read as a restarted run finds them. */
  async function committed(dir: string): Promise<{ batch: number | undefined; entries: Map<string, unknown> }> {
    const files = DiskCheckpoints.open(await loadLmdb(), dir, 'workload');
    try {
      const entries = new Map<string, unknown>();
      for (const start of files.store.windows.keys())
        for (const [key, window, acc] of files.store.entries(start)) entries.set(`${String(key)}|${window}`, acc);
      return { batch: files.head('workload')?.batch, entries };
    } finally {
      await files.close();
    }
  }

  /** How many (key, window) entries differ, either way: a diff of a million entries would be unreadable. */
  const differing = (actual: Map<string, unknown>, expected: Map<string, unknown>) => {
    let differ = 0;
    for (const [id, acc] of expected) if (actual.get(id) !== acc) differ++;
    for (const id of actual.keys()) if (!expected.has(id)) differ++;
    return differ;
  };

  const expectedAfter = (batches: number) => {
    const state = workloadState();
    for (let b = 1; b <= batches; b++) addBatch(state, big, b);
    return new Map(state.snapshot().entries.map(([key, window, acc]) => [`${String(key)}|${window}`, acc]));
  };

  it('SIGKILL from outside while the commit of ~500,000 changed entries is being written: the store holds the commit before, exactly; resumed, it ends exact', async () => {
    const dir = tempDir();
    const running = spawn(process.execPath, bigChild(dir), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    running.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Batch 1 commits ~500,000 entries; batch 2 changes as many: killed a third of the way into its commit, timed by batch 1's
    // (a kill 20 ms in landed before a commit cut in slices of 50,000 had written any, and passed).
    let firstSave = 0;
    running.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      firstSave = Number(/saved 1 (\d+)/.exec(text)?.[1] ?? firstSave);
      if (text.includes('saving 2')) setTimeout(() => running.kill('SIGKILL'), firstSave / 3);
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => running.on('exit', (_, s) => resolve(s)));
    expect(signal, stderr).toBe('SIGKILL');
    const afterKill = await committed(dir);
    expect(afterKill.batch).toBe(1);
    expect(afterKill.entries.size).toBeGreaterThan(400_000);
    expect(differing(afterKill.entries, expectedAfter(1))).toBe(0);
    const resumed = spawnSync(process.execPath, bigChild(dir), { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    const end = await committed(dir);
    expect(end.batch).toBe(2);
    expect(end.entries.size).toBeGreaterThan(afterKill.entries.size);
    expect(differing(end.entries, expectedAfter(2))).toBe(0);
  }, 600_000);
});
