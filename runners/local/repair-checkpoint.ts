import { isDeepStrictEqual } from 'node:util';
import type { WindowNode } from '../../compiler/ir/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { StateSnapshot } from './aggregation-state.ts';
import { FileCheckpoints, type Checkpoint } from './checkpoint.ts';

/** A stream's checkpoint, as repair rewrites it. */
export interface RepairCheckpoint {
  /** Whether the checkpoint's state holds a (key, window): every unwindowed key, and the windows not yet closed by its watermark. */
  holds(windowStart: number | undefined): boolean;
  /** Replaces the state's entries (same source position and watermark), atomically; how many differed from before. */
  rewrite(entries: StateSnapshot['entries'], dryRun: boolean): { entries: number; changed: number };
}

const entryId = (key: unknown, windowStart: number | null) => JSON.stringify([key, windowStart]);

/**
 * The checkpoint of the stream repair must stay consistent with. Its state
 * is rewritten from the system of record, for the events up to its source
 * position. The system of record can hold more: a batch archives its events
 * before the checkpoint that covers it, and a crash in between leaves them
 * archived but not checkpointed, to be read again when the stream resumes.
 * Counted in the state too, they would count twice; so then repair refuses
 * (the batch's progress, recorded before its first write, tells).
 */
export function repairCheckpoint(
  dir: string,
  pipeline: string,
  window: WindowNode | undefined,
): RepairCheckpoint | undefined {
  const store = new FileCheckpoints(dir);
  const checkpoint = store.load(pipeline);
  const progress = store.progress();
  if (progress && !isDeepStrictEqual(progress.batchEnd, checkpoint?.position)) {
    throw new RunnerError(
      `the last run of ${pipeline} with checkpoint ${dir} stopped in the middle of a batch (after batch ${checkpoint?.batch ?? 0}): the system of record may hold events its checkpoint has not reached, which the stream will read again. ` +
        'Resume the stream until it stops cleanly (Ctrl-C, --until-idle or the end of its input), then repair with --checkpoint',
    );
  }
  if (!checkpoint) return undefined;
  if (checkpoint.archiveReach !== undefined) {
    throw new RunnerError(
      `the system of record of ${pipeline} holds events past its checkpoint in ${dir} (after batch ${checkpoint.batch}): a batch archived them and died before its checkpoint, and the batches read again since were cut differently. ` +
        `The stream will read them again, so counting them in its state now would count them twice. Resume the stream until it has read past ${JSON.stringify(checkpoint.archiveReach)} and stops cleanly, then repair with --checkpoint`,
    );
  }
  return {
    holds: (windowStart) =>
      !window ||
      windowStart === undefined ||
      windowStart + window.sizeMs + window.allowedLatenessMs > checkpoint.state.watermark,
    rewrite: (entries, dryRun) => rewriteState(store, checkpoint, entries, dryRun),
  };
}

function rewriteState(
  store: FileCheckpoints,
  checkpoint: Checkpoint,
  entries: StateSnapshot['entries'],
  dryRun: boolean,
): { entries: number; changed: number } {
  const before = new Map(checkpoint.state.entries.map(([key, start, acc]) => [entryId(key, start), acc]));
  let changed = 0;
  for (const [key, start, acc] of entries) {
    const id = entryId(key, start);
    if (!before.has(id) || !isDeepStrictEqual(before.get(id), acc)) changed++;
    before.delete(id);
  }
  changed += before.size; // entries the system of record does not support: dropped
  if (!dryRun) store.save({ ...checkpoint, state: { watermark: checkpoint.state.watermark, entries } });
  return { entries: entries.length, changed };
}
