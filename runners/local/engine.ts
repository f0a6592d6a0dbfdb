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
import { assertSameSource, FileCheckpoints, MemoryCheckpoints, type CheckpointStore } from './checkpoint.ts';
import { CrashPoints } from './crash-points.ts';
import { runInput } from './live-input.ts';
import { assertNoPendingRepair } from './repair-pending.ts';
import { lockRunFolders } from './run-locks.ts';
import { runSettings, type LocalRunOptions, type LocalRunResult } from './run-options.ts';
import { RunTotals } from './run-totals.ts';
import { sourceIdentity } from './source-identity.ts';

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
  const totals = new RunTotals();
  const settings = runSettings(options);
  const { faults, log } = settings;
  const files = options.checkpointDir ? new FileCheckpoints(options.checkpointDir, options.compaction) : undefined;
  const checkpoints: CheckpointStore = files ?? new MemoryCheckpoints();
  const crashes = new CrashPoints({ faults, checkpoints, crash: options.crash, log });
  const memory: MemorySinkContents = options.memory ?? new Map<string, Map<string, unknown>>();
  const plan: PlannedWrite[] | undefined = options.dryRun ? [] : undefined;
  const targets = runTargets(options.store, options.targets);
  // Without a checkpoint folder, a failed batch rolls the state back through its undo journal (no second copy).
  const state = aggregationState(pipeline, files === undefined);
  const records = new BatchRecords(pipeline, { faults, totals, state, cassandra: targets.has('cassandra') });
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
function aggregationState(pipeline: PipelineNode, rollbackable: boolean): AggregationState | undefined {
  const aggregate = PipelineNode.aggregate(pipeline);
  if (!aggregate) return undefined;
  const counterSink = pipeline.sink.mode === 'counter';
  return new AggregationState(aggregatorFor(aggregate), windowOf(pipeline), counterSink, rollbackable);
}
