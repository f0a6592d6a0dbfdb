import './node-compat.ts'; // first: Beam needs it as it loads
import 'apache-beam';
import { JobState_Enum } from 'apache-beam/proto/beam_job_api';
import type { PipelineResult } from 'apache-beam/runners/runner';

/** Beam's PortableRunner's result, which cancels (its declared type, the base class, does not say so). */
type CancellableResult = PipelineResult & { cancel(): Promise<void> };

/** How often a streaming job's state is asked for while it runs. */
const pollMs = 1_000;

/**
 * Waits for a streaming job: until `stop` is aborted, then cancels it; or until it ends by itself, which
 * for an unbounded read means it failed (thrown, with its state's name). `cancelOnCluster` cancels the job
 * on the Flink cluster itself, first: Beam's cancel alone leaves a session cluster's job running.
 */
export async function untilStopped(
  result: CancellableResult,
  stop: AbortSignal,
  cancelOnCluster?: () => Promise<string>,
): Promise<void> {
  while (!stop.aborted) {
    const state = await result.waitUntilFinish(pollMs);
    if (state === JobState_Enum.DONE) return;
    if (isTerminal(state)) throw new Error(`Job finished in state ${JobState_Enum[state]}`);
  }
  const onCluster = await cancelOnCluster?.();
  try {
    await result.cancel();
  } catch (error) {
    // The job server may no longer know a job the cluster has just cancelled: that is the end asked for.
    if (onCluster !== 'CANCELED') throw error;
  }
}

const terminal = new Set([
  JobState_Enum.DONE,
  JobState_Enum.FAILED,
  JobState_Enum.CANCELLED,
  JobState_Enum.UPDATED,
  JobState_Enum.DRAINED,
]);
const isTerminal = (state: JobState_Enum) => terminal.has(state);
