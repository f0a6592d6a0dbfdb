import { PipelineNode } from '../../compiler/ir/index.ts';
import type { FolderHold } from '../../connectors/exclusive-folder.ts';
import { runTargets } from '../../connectors/targets.ts';
import { aggregatorFor } from '../../runtime/aggregators.ts';
import { windowOf } from '../../runtime/record-path.ts';
import type { MemorySinkContents, PlannedWrite } from '../../runtime/sinks/sink-writer.ts';
import { AggregationState } from './aggregation-state.ts';
import { BatchLoop } from './batch-loop.ts';
import { BatchRecords } from './batch-records.ts';
import { BatchWriter } from './batch-writer.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import {
  assertSameSource,
  FileCheckpoints,
  MemoryCheckpoints,
  type CheckpointStore,
  type DurableCheckpoints,
} from './checkpoint.ts';
import { CrashPoints } from './crash-points.ts';
import { DiskCheckpoints } from './disk-checkpoints.ts';
import { runInput } from './live-input.ts';
import { assertNoPendingRepair } from './repair-pending.ts';
import { lockRunFolders } from './run-locks.ts';
import { runSettings, type LocalRunOptions, type LocalRunResult } from './run-options.ts';
import { RunTotals } from './run-totals.ts';
import { sourceIdentity } from './source-identity.ts';
import { loadLmdb } from './state-store.ts';

export { crashExitCode, SimulatedCrash } from './crash-points.ts';
export type { LocalRunOptions, LocalRunResult, Progress, Resumed } from './run-options.ts';

/**
 * Runs a pipeline in this process, in micro-batches:
 * read a batch → per-record steps → keyed window state → sink writes
 * (systems of record, dead letters, then the aggregates) → checkpoint.
 *
 * Exactly-once *effect* for idempotent sinks: the checkpoint (source position
 * + state) is written only after every sink acknowledged the batch; after a
 * crash or a sink that fails for good, the run resumes from the last
 * checkpoint and replays. Writes already recorded as done for the batch in
 * flight are skipped; a write that landed without being recorded is repeated,
 * which an upsert absorbs and a counter does not.
 *
 * This function wires the parts: the record path (batch-records.ts), the
 * batch writer (batch-writer.ts), the loop (batch-loop.ts) and the input.
 */
export async function runLocal(pipeline: PipelineNode, options: LocalRunOptions): Promise<LocalRunResult> {
  const files = await durableCheckpoints(pipeline, options);
  try {
    return await runWith(pipeline, options, files);
  } finally {
    if (files instanceof DiskCheckpoints) await files.close();
  }
}

/** The run's checkpoint folder: state in files, or (`--state disk`) in a store in or beside it; none without a folder. */
async function durableCheckpoints(
  pipeline: PipelineNode,
  options: LocalRunOptions,
): Promise<DurableCheckpoints | undefined> {
  if (options.state?.kind !== 'disk')
    return options.checkpointDir ? new FileCheckpoints(options.checkpointDir, options.compaction) : undefined;
  if (!options.checkpointDir)
    throw new RunnerError(
      '--state disk needs --checkpoint <dir>: the store on disk is the checkpoint, and holds the state only with one',
    );
  const lmdb = await loadLmdb();
  return DiskCheckpoints.open(lmdb, options.checkpointDir, pipeline.name, {
    storeDir: options.state.dir,
    merge: options.compaction,
  });
}

async function runWith(
  pipeline: PipelineNode,
  options: LocalRunOptions,
  files: DurableCheckpoints | undefined,
): Promise<LocalRunResult> {
  const totals = new RunTotals();
  const settings = runSettings(options);
  const { faults, log } = settings;
  const checkpoints: CheckpointStore = files ?? new MemoryCheckpoints();
  const crashes = new CrashPoints({ faults, checkpoints, crash: options.crash, log });
  const memory: MemorySinkContents = options.memory ?? new Map<string, Map<string, unknown>>();
  const plan: PlannedWrite[] | undefined = options.dryRun ? [] : undefined;
  const targets = runTargets(options.store, options.targets);
  const state = aggregationState(pipeline, files);
  const records = await BatchRecords.open(pipeline, targets, { faults, totals, state });
  const writer = new BatchWriter(pipeline, { ...settings, targets, memory, plan, checkpoints, state, crashes, totals });
  const input = sourceIdentity(pipeline.source);
  assertSameSource(checkpoints.head(pipeline.name), input, options.checkpointDir ?? 'in memory');
  const stream = await runInput(pipeline, {
    log,
    connectAttempts: options.connectAttempts,
    batchSize: settings.batchSize,
    commitOffsets: checkpoints.durable && !options.dryRun,
    checkpointDir: options.checkpointDir,
    crashMidAppend: () => crashes.midAppend(),
  });
  let folders: FolderHold | undefined;
  try {
    // One process a folder (naming the holder's command); then no resuming over a repair that did not finish.
    folders = lockRunFolders(pipeline, {
      checkpointDir: options.checkpointDir,
      storeDir: options.store.dir,
      stateDir: files instanceof DiskCheckpoints ? files.storeDir : undefined,
      dryRun: options.dryRun,
      cassandra: targets.has('cassandra'),
    });
    if (options.checkpointDir) assertNoPendingRepair(options.checkpointDir);
    await stream.start();
    totals.inputReadyAt = performance.now();
    const sourceContext = { targets, live: stream.live };
    const replayInput = stream.replayInput;
    const run = {
      pipeline,
      options,
      settings,
      checkpoints,
      files,
      input,
      sourceContext,
      replayInput,
      state,
      records,
      writer,
      totals,
    };
    return await new BatchLoop({ ...run, plan, memory }).run();
  } finally {
    await stream.close();
    folders?.release();
  }
}

/** The keyed window state of an aggregating pipeline; none for a pipeline that sinks its records as they are. */
function aggregationState(pipeline: PipelineNode, files: DurableCheckpoints | undefined): AggregationState | undefined {
  const aggregate = PipelineNode.aggregate(pipeline);
  if (!aggregate) return undefined;
  const counterSink = pipeline.sink.mode === 'counter';
  // Without a checkpoint folder, a failed batch rolls the state back through its undo journal (no second copy).
  const rollbackable = files === undefined;
  const store = files instanceof DiskCheckpoints ? files.store : undefined;
  return new AggregationState(aggregatorFor(aggregate), windowOf(pipeline), counterSink, rollbackable, store);
}
