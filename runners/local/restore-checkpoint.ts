import type { PipelineNode } from '../../compiler/ir/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { AggregationState } from './aggregation-state.ts';
import { FallbackOffered, type CheckpointHead, type CheckpointStore, type DurableCheckpoints } from './checkpoint.ts';
import { whyNotReplay, type ReplayInput } from './replay-safety.ts';
import { StateImage } from './state-image.ts';

/**
 * The last checkpoint's head, its state rebuilt into the run's state (or,
 * without a checkpoint folder, rolled back to it). Past
 * a damaged state record, it goes back to the last checkpoint whose state
 * is whole only when reading the input again from there provably changes
 * no sink (see replay-safety.ts), and says so; else it stops, naming the
 * file, why it did not go back, and what to do. Never an empty state.
 */
export async function restoreCheckpoint(
  pipeline: PipelineNode,
  checkpoints: CheckpointStore,
  files: DurableCheckpoints | undefined,
  state: AggregationState | undefined,
  input: ReplayInput,
  log: (line: string) => void,
): Promise<CheckpointHead | undefined> {
  // Without a checkpoint folder the state rolls back through its undo journal: there is no second copy to load.
  if (!files) {
    state?.rollback();
    return checkpoints.head(pipeline.name);
  }
  try {
    return files.restoreInto(pipeline.name, state ?? new StateImage());
  } catch (error) {
    if (!(error instanceof FallbackOffered)) throw error;
    const { fallback, damage } = error;
    const damagedHead = checkpoints.head(pipeline.name);
    const why = await whyNotReplay(pipeline, fallback.head.position, damagedHead?.position, input);
    if (why !== undefined)
      throw new RunnerError(
        `${damage.what}, ${damage.advice}. It did not go back to the checkpoint after batch ${fallback.head.batch}, the last one whose state is whole, on its own: ${why}`,
      );
    fallback.commit();
    log(
      `${damage.what}: went back to the checkpoint after batch ${fallback.head.batch}, the last one whose state is whole, and reads batches ${fallback.head.batch + 1}–${fallback.damagedBatch} of the input again (every sink is idempotent and the input still holds them). A copy of the damaged file is kept in ${fallback.copy}`,
    );
    return fallback.head;
  }
}
