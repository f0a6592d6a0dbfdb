import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { WindowNode } from '../../compiler/ir/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateSnapshot } from './aggregation-state.ts';
import { readJson } from './checkpoint-side-files.ts';
import { diskCheckpointLayout, FileCheckpoints, type BatchProgress, type CheckpointHead } from './checkpoint.ts';
import { DiskCheckpoints } from './disk-checkpoints.ts';
import { unwindowed } from './state-key.ts';
import { loadLmdb } from './state-store.ts';

/** A stream's checkpoint, as repair rewrites it. */
export interface RepairCheckpoint {
  /** Whether the checkpoint's state holds a (key, window): every unwindowed key, and the windows not yet closed by its watermark. */
  holds(windowStart: number | undefined): boolean;
  /** Replaces the state's entries (same source position and watermark), atomically; how many differed from before. */
  rewrite(entries: StateSnapshot['entries'], dryRun: boolean): { entries: number; changed: number };
  /** Lets go of what the checkpoint holds open (a state store). */
  close(): Promise<void>;
}

type Entries = StateSnapshot['entries'];
const entryId = (key: unknown, windowStart: number | null) => JSON.stringify([key, windowStart]);

/**
 * The checkpoint of the stream repair must stay consistent with. Its state
 * is rewritten from the system of record, for the events up to its source
 * position. The system of record can hold more: a batch archives its events
 * before the checkpoint that covers it, and a crash in between leaves them
 * archived but not checkpointed, to be read again when the stream resumes.
 * Counted in the state too, they would count twice; so then repair refuses
 * (the batch's progress, recorded before its first write, tells).
 * State in files is rewritten as a new snapshot; state in a store (`--state
 * disk`, the store `checkpoint.json` names) in one write transaction of it.
 */
export async function repairCheckpoint(
  dir: string,
  pipeline: string,
  window: WindowNode | undefined,
): Promise<RepairCheckpoint | undefined> {
  const layout = readJson<{ layout?: string }>(join(dir, 'checkpoint.json'))?.layout;
  if (layout === diskCheckpointLayout) return storeCheckpoint(dir, pipeline, window);
  const store = new FileCheckpoints(dir);
  const checkpoint = store.load(pipeline);
  assertRepairable(dir, pipeline, checkpoint, store.progress());
  if (!checkpoint) return undefined;
  const { state, ...head } = checkpoint;
  return {
    holds: holdsBelow(window, state.watermark),
    rewrite: (entries, dryRun) => {
      const changed = changedFromMap(state.entries, entries);
      if (!dryRun) store.save({ ...head, state: { watermark: state.watermark, entries } });
      return { entries: entries.length, changed };
    },
    close: async () => {},
  };
}

/** A checkpoint whose keyed state is in a store: read where it stands, rewritten whole in one commit. */
async function storeCheckpoint(
  dir: string,
  pipeline: string,
  window: WindowNode | undefined,
): Promise<RepairCheckpoint | undefined> {
  const files = DiskCheckpoints.openNamed(await loadLmdb(), dir, pipeline);
  try {
    const head = files.head(pipeline);
    assertRepairable(dir, pipeline, head, files.progress());
    if (!head) {
      await files.close();
      return undefined;
    }
    const { watermark } = files.store;
    return {
      holds: holdsBelow(window, watermark),
      rewrite: (entries, dryRun) => {
        const changed = changedInStore(files, entries);
        if (!dryRun) files.save({ ...head, state: { watermark, entries } });
        return { entries: entries.length, changed };
      },
      close: () => files.close(),
    };
  } catch (error) {
    await files.close();
    throw error;
  }
}

/** Refuses a checkpoint whose stream stopped mid-batch, or whose system of record reaches past it (see above). */
function assertRepairable(
  dir: string,
  pipeline: string,
  checkpoint: CheckpointHead | undefined,
  progress: BatchProgress | undefined,
): void {
  if (progress && !isDeepStrictEqual(progress.batchEnd, checkpoint?.position)) {
    throw new RunnerError(
      `the last run of ${pipeline} with checkpoint ${dir} stopped in the middle of a batch (after batch ${checkpoint?.batch ?? 0}): the system of record may hold events its checkpoint has not reached, which the stream will read again. ` +
        'Resume the stream until it stops cleanly (Ctrl-C, --until-idle or the end of its input), then repair with --checkpoint',
    );
  }
  if (checkpoint?.archiveReach !== undefined) {
    throw new RunnerError(
      `the system of record of ${pipeline} holds events past its checkpoint in ${dir} (after batch ${checkpoint.batch}): a batch archived them and died before its checkpoint, and the batches read again since were cut differently. ` +
        `The stream will read them again, so counting them in its state now would count them twice. Resume the stream until it has read past ${JSON.stringify(checkpoint.archiveReach)} and stops cleanly, then repair with --checkpoint`,
    );
  }
}

const holdsBelow = (window: WindowNode | undefined, watermark: number) => (windowStart: number | undefined) =>
  !window || windowStart === undefined || windowStart + window.sizeMs + window.allowedLatenessMs > watermark;

/** Entries that differ from the state's, or that the state has and the system of record does not support (dropped). */
function changedFromMap(old: Entries, entries: Entries): number {
  const before = new Map(old.map(([key, start, acc]) => [entryId(key, start), acc]));
  let changed = 0;
  for (const [key, start, acc] of entries) {
    const id = entryId(key, start);
    if (!before.has(id) || !isDeepStrictEqual(before.get(id), acc)) changed++;
    before.delete(id);
  }
  return changed + before.size;
}

/** The same count against a store, read an entry at a time: the state is never loaded whole. */
function changedInStore(files: DiskCheckpoints, entries: Entries): number {
  const { store } = files;
  let held = 0;
  for (const count of store.windows.values()) held += count;
  let changed = 0;
  let kept = 0;
  for (const [key, start, acc] of entries) {
    const had = store.get(start ?? unwindowed, key);
    if (had) kept++;
    if (!had || !isDeepStrictEqual(had[0], acc)) changed++;
  }
  return changed + (held - kept);
}
