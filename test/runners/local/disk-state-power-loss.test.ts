import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DiskCheckpoints } from '../../../runners/local/disk-checkpoints.ts';
import { loadLmdb } from '../../../runners/local/state-store.ts';
import { fsTrace, powerLossOutcomes, type FsCalls } from '../../helpers/power-loss.ts';
import { addBatch, expectedAfter, sortedEntries, workloadState, type Workload } from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// The store's delta log reaches the file system through the recorder (LMDB's own writes do not: none happen here,
// the log is never merged in these few saves, and LMDB's commits are its own guarantee).
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs') & FsCalls>();
  const { fsTrace: trace } = await import('../../helpers/power-loss.ts');
  const wrapped = trace.wrap(real);
  return { ...wrapped, default: wrapped };
});

/** The files under `dir` by relative name, less LMDB's lock file (a live process's, never part of what is kept). */
function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile() && !entry.name.endsWith('-lock')) {
      const path = join(entry.parentPath, entry.name);
      files.set(relative(dir, path), readFileSync(path));
    }
  return files;
}

function rebuild(files: Map<string, Buffer>): string {
  const dir = tempDir();
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return dir;
}

describe('--state disk under a power loss: the delta log’s fsync order (which a kill -9 cannot show)', () => {
  it('at every point of 15 logged checkpoints, every store a power loss may leave restores exactly to the last saved checkpoint or the one being saved', async () => {
    const lmdb = await loadLmdb();
    const dir = tempDir();
    const w: Workload = { keys: 40, eventsPerBatch: 12, stepMs: 6_000 };
    const files = DiskCheckpoints.open(lmdb, dir, 'workload');
    const state = workloadState(false, files.store);
    const save = (batch: number) => {
      addBatch(state, w, batch);
      state.drainChanged(false);
      files.save({ pipeline: 'workload', batch, position: batch, state: state.takeCheckpoint(false) });
      state.checkpointSaved();
    };
    // From a store with no checkpoint yet: the log's creation (its name made durable in the folder) is traced too.
    fsTrace.start(dir, filesUnder(dir));
    try {
      for (let batch = 1; batch <= 15; batch++) {
        save(batch);
        fsTrace.ops.push({ kind: 'saved', batch });
      }
    } finally {
      fsTrace.stop();
    }
    await files.close();
    const violations: string[] = [];
    let outcomes = 0;
    for (const outcome of powerLossOutcomes(fsTrace)) {
      outcomes++;
      const least = outcome.savedBefore ?? 0;
      const at = DiskCheckpoints.open(lmdb, rebuild(outcome.files), 'workload');
      try {
        const restored = workloadState(false, at.store);
        const batch = at.restoreInto('workload', restored)?.batch ?? 0;
        if (batch < least || batch > least + 1)
          violations.push(`${outcome.what}: restored batch ${batch}, want ${least} or ${least + 1}`);
        else if (
          JSON.stringify(sortedEntries(restored.snapshot())) !== JSON.stringify(sortedEntries(expectedAfter(w, batch)))
        )
          violations.push(`${outcome.what}: the state of batch ${batch} differs from the one saved`);
      } catch (error) {
        violations.push(`${outcome.what}: ${(error as Error).message.slice(0, 160)}`);
      } finally {
        await at.close();
      }
    }
    expect(outcomes).toBeGreaterThan(20);
    expect(violations.slice(0, 5), `${violations.length} of ${outcomes} folders`).toEqual([]);
  }, 120_000);
});
