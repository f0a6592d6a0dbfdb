import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileCheckpoints } from '../../../runners/local/checkpoint.ts';
import { fsTrace, powerLossOutcomes, type FsCalls } from '../../helpers/power-loss.ts';
import { checkpointBatches, sortedEntries, workloadState, type Workload } from '../../helpers/state-workload.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// Every module of this test file reaches the file system through the recorder (it records only under the traced folder).
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs') & FsCalls>();
  const { fsTrace: trace } = await import('../../helpers/power-loss.ts');
  const wrapped = trace.wrap(real);
  return { ...wrapped, default: wrapped };
});

/** The files under `dir`, by relative name. */
function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) {
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

describe('checkpoints under a power loss: the fsync and rename order (which a kill -9 cannot show)', () => {
  it('at every point of 29 saves (deltas and compactions), every folder a power loss may leave restores exactly to the last saved checkpoint or the one being saved', () => {
    const dir = tempDir();
    const w: Workload = { keys: 40, eventsPerBatch: 12, stepMs: 6_000 };
    // A compaction whenever the log outgrows the snapshot, or every 4 deltas: many compactions in few saves.
    const store = new FileCheckpoints(dir, { compactAfterBytes: 1, compactAfterDeltas: 4 });
    const state = workloadState();
    const expected = new Map<number, string[]>();
    checkpointBatches(state, store, w, 1, 1);
    expected.set(1, sortedEntries(state.snapshot()));
    fsTrace.start(dir, filesUnder(dir));
    let compactions = 0;
    try {
      for (let batch = 2; batch <= 30; batch++) {
        checkpointBatches(state, store, w, batch, batch, (_, whole) => void (whole && compactions++));
        fsTrace.ops.push({ kind: 'saved', batch });
        expected.set(batch, sortedEntries(state.snapshot()));
      }
    } finally {
      fsTrace.stop();
    }
    expect(compactions).toBeGreaterThanOrEqual(5);
    const violations: string[] = [];
    let outcomes = 0;
    for (const outcome of powerLossOutcomes(fsTrace)) {
      outcomes++;
      const at = rebuild(outcome.files);
      const least = outcome.savedBefore ?? 1;
      try {
        const restored = new FileCheckpoints(at).load('workload');
        const batch = restored?.batch ?? 0;
        if (batch < least || batch > least + 1)
          violations.push(`${outcome.what}: restored batch ${batch}, want ${least} or ${least + 1}`);
        else if (JSON.stringify(sortedEntries(restored!.state)) !== JSON.stringify(expected.get(batch)))
          violations.push(`${outcome.what}: the state of batch ${batch} differs from the one saved`);
      } catch (error) {
        violations.push(`${outcome.what}: ${(error as Error).message.slice(0, 160)}`);
      }
    }
    expect(outcomes).toBeGreaterThan(150);
    expect(violations.slice(0, 5), `${violations.length} of ${outcomes} folders`).toEqual([]);
  }, 120_000);
});
