import type { PipelineNode } from '../../compiler/ir/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';
import { openSource, type SourceContext } from '../../runtime/sources/open-source.ts';
import { readBatch } from '../../runtime/sources/read-batch.ts';
import type { SourceBatch, SourceReader } from '../../runtime/sources/source-reader.ts';
import type { AggregationState } from './aggregation-state.ts';
import { batchDigest } from './batch-digest.ts';
import type { BatchRecords } from './batch-records.ts';
import { BatchFailed, type BatchJob, type BatchWriter } from './batch-writer.ts';
import type { CheckpointHead, CheckpointStore, CheckpointToSave, DurableCheckpoints } from './checkpoint.ts';
import type { ReplayInput } from './replay-safety.ts';
import { restoreCheckpoint } from './restore-checkpoint.ts';
import { idleStopDue } from './idle-stop.ts';
import type { LocalRunOptions, LocalRunResult, Resumed, RunSettings } from './run-options.ts';
import { progressAfter, runResult, type RunTotals } from './run-totals.ts';
import type { SourceIdentity } from './source-identity.ts';

/** What the batch loop works with: built by `runLocal` once the input is ready. */
export interface LoopRun {
  readonly pipeline: PipelineNode;
  readonly options: LocalRunOptions;
  readonly settings: RunSettings;
  readonly checkpoints: CheckpointStore;
  /** The same checkpoints when they are durable (a checkpoint folder). */
  readonly files: DurableCheckpoints | undefined;
  /** What the checkpoints say they are a position in. */
  readonly input: SourceIdentity;
  readonly sourceContext: SourceContext;
  /** What a fallback past a damaged checkpoint asks of the input. */
  readonly replayInput: ReplayInput;
  readonly state: AggregationState | undefined;
  readonly records: BatchRecords;
  readonly writer: BatchWriter;
  readonly totals: RunTotals;
  readonly plan: LocalRunResult['plan'];
  readonly memory: LocalRunResult['memory'];
}

/**
 * The run's loop: read a batch, run its records, hand its writes to the batch writer, and stop at the end
 * of the input, at a signal, when idle or after enough records. Batch N's writes and checkpoint run while
 * batch N+1 is read and processed; writes stay in batch order (N+1's start after N's are acknowledged), so
 * a newer upsert never lands before an older one. A batch that fails for good restores the last checkpoint
 * and the loop replays from there.
 */
export class BatchLoop {
  readonly #run: LoopRun;
  #reader: SourceReader;
  /** Records read from the input's start through the last batch read (unknown from a checkpoint that does not keep it). */
  #recordsRead: number | undefined = 0;
  #batch = 0;
  #resumed: Resumed | undefined;
  #replaysInARow = 0;
  #lastRecordAt: number;
  #waitingSaid = false;
  /** How `--until-idle` speaks: the wait for unread partitions is said once a run. */
  readonly #say = {
    once: (line: string) => {
      if (!this.#waitingSaid) this.#run.settings.log(line);
      this.#waitingSaid = true;
    },
    log: (line: string) => this.#run.settings.log(line),
  };
  #stopped: LocalRunResult['stopped'] = 'end';
  /** The batch whose writes and checkpoint are running, until `#settle` waits for it. */
  #inFlight: Promise<void> | undefined;
  readonly #needsDigest: boolean;

  constructor(run: LoopRun) {
    this.#run = run;
    this.#reader = openSource(run.pipeline.source, undefined, run.sourceContext);
    this.#lastRecordAt = run.totals.inputReadyAt;
    this.#needsDigest = needsDigest(run.pipeline.source.connector, run.checkpoints.durable);
  }

  async run(): Promise<LocalRunResult> {
    const { pipeline, settings, totals, plan, memory } = this.#run;
    const checkpoint = await this.#restore();
    this.#resumed = checkpoint && {
      afterBatch: checkpoint.batch,
      ...(checkpoint.recordsRead !== undefined ? { records: checkpoint.recordsRead } : {}),
    };
    if (checkpoint) settings.log(`resuming ${pipeline.name} from the checkpoint after batch ${checkpoint.batch}`);
    let going = true;
    while (going) going = await this.#turn();
    if (!(await this.#settle())) throw new RunnerError('a batch failed after the run stopped');
    await this.#reader.close();
    const end = { pipeline: pipeline.name, batches: this.#batch, resumed: this.#resumed, plan, memory };
    return runResult(totals, { ...end, stopped: this.#stopped });
  }

  /** One turn of the loop: a batch read and handed to the writer, or a wait; false once the run stops. */
  async #turn(): Promise<boolean> {
    // Let the event loop breathe once a batch: when every batch has records, the loop would
    // otherwise only await settled promises and starve signals, timers and sockets.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#run.options.signal?.aborted) return this.#stopOnceSettled('signal');
    const batchStart = this.#reader.position();
    const current = await this.#read();
    // An input that ends on a batch boundary (or a source that learns of its end only by an empty read)
    // still owes the rows of its open windows: they are written by a batch of no records.
    if (current.values.length === 0 && !(current.done && this.#run.records.openRowsOwed())) return this.#idle(current);
    const { job, recordsRead, stopping } = await this.#process(current, batchStart);
    // The previous batch must be acknowledged before this one writes; if it failed, this batch is discarded with it.
    if (!(await this.#settle())) return true;
    this.#launch(job, recordsRead);
    if (!stopping) return true;
    return this.#stopOnceSettled(current.done ? 'end' : 'max-records');
  }

  /** Stops once the batch in flight is written; goes on (replaying) when it failed. */
  async #stopOnceSettled(why: LocalRunResult['stopped']): Promise<boolean> {
    if (!(await this.#settle())) return true;
    this.#stopped = why;
    return false;
  }

  async #read(): Promise<SourceBatch> {
    const { options, settings, pipeline } = this.#run;
    try {
      return await readBatch(this.#reader, {
        batchSize: settings.batchSize,
        bounded: pipeline.source.delivery === 'bounded',
        intervalMs: options.batchIntervalMs ?? 1_000,
        sleep: settings.sleep,
        signal: options.signal,
      });
    } catch (error) {
      // The input failed (or a crash struck in the receiver): the batch in flight ends before this run does,
      // so that no write of this run lands after the next run has started.
      await this.#inFlight?.catch(() => {});
      throw error;
    }
  }

  /** A read that brought nothing: settle the batch in flight, then stop at the end or when idle, else wait a little. */
  async #idle(current: SourceBatch): Promise<boolean> {
    const { options, settings, writer } = this.#run;
    const settled = await this.#settle();
    // Idle means no input while nothing is being written: time spent on writes, retries or a replay
    // is not silence from the source (else a long retry would end the run before a reconnect delivers).
    if (writer.writesFinishedAt > this.#lastRecordAt) this.#lastRecordAt = writer.writesFinishedAt;
    if (!settled) {
      this.#lastRecordAt = performance.now();
      return true;
    }
    if (current.done) return false;
    const idleMs = performance.now() - this.#lastRecordAt;
    if (
      options.untilIdleMs !== undefined &&
      idleStopDue(current, idleMs, options.untilIdleMs, this.#say, options.unreadGraceMs)
    ) {
      this.#stopped = 'idle';
      return false;
    }
    await settings.sleep(50);
    return true;
  }

  /** Runs a batch's records and takes what its writes and checkpoint need, before the next batch changes the state. */
  async #process(current: SourceBatch, batchStart: unknown) {
    const { pipeline, options, settings, checkpoints, state, records, writer, totals } = this.#run;
    const { values, done } = current;
    this.#lastRecordAt = performance.now();
    const batch = ++this.#batch;
    const batchSeed = settings.seed * 7_919 + batch * 104_729 + totals.replays;
    totals.recordsIn += values.length;
    if (this.#recordsRead !== undefined) this.#recordsRead += values.length;
    const recordsRead = this.#recordsRead;
    await records.route(current, new SeededRandom(batchSeed));
    const stopping = done || (options.maxRecords !== undefined && totals.recordsIn >= options.maxRecords);
    const writes = writer.writesOf(records.rowsBySink(stopping));
    // What this batch's checkpoint holds, taken before the next batch changes the state:
    // the entries changed since the last checkpoint, or now and then the whole state (a compaction).
    const position = this.#reader.position();
    const checkpointDue = batch % settings.checkpointEvery === 0 || done;
    const stateToSave = checkpointDue ? state?.takeCheckpoint(checkpoints.wantsWholeState()) : undefined;
    const checkpoint: CheckpointToSave | undefined = checkpointDue
      ? {
          pipeline: pipeline.name,
          batch,
          position,
          ...(stateToSave ? { state: stateToSave } : {}),
          source: this.#run.input,
          ...(recordsRead !== undefined ? { recordsRead } : {}),
          ...(records.openRowsWritten ? { openRowsWritten: true } : {}),
        }
      : undefined;
    const digest = this.#needsDigest ? batchDigest(values) : undefined;
    const identity = { batchStart, batchEnd: position, digest };
    const job: BatchJob = {
      batch,
      identity,
      writes,
      random: new SeededRandom(batchSeed + 1_000_003),
      checkpoint,
      reader: this.#reader,
    };
    return { job, recordsRead, stopping };
  }

  /** Starts the batch's writes and checkpoint; `#settle` waits for them. */
  #launch(job: BatchJob, recordsRead: number | undefined): void {
    const { options, writer, totals, state } = this.#run;
    const task = (async () => {
      await writer.commit(job);
      options.onProgress?.(progressAfter(totals, state, job.batch, recordsRead, this.#resumed));
    })();
    // Observed by settle(); this keeps Node from reporting it as unhandled meanwhile.
    task.catch(() => {});
    this.#inFlight = task;
  }

  /** Waits for the batch in flight; false when it failed for good and the run was restored to the last checkpoint. */
  async #settle(): Promise<boolean> {
    const task = this.#inFlight;
    this.#inFlight = undefined;
    if (!task) return true;
    try {
      await task;
      this.#replaysInARow = 0;
      return true;
    } catch (error) {
      if (!(error instanceof BatchFailed)) throw error;
      const { options, settings, checkpoints, pipeline, totals } = this.#run;
      totals.replays++;
      if (++this.#replaysInARow > (options.maxReplays ?? 10))
        throw new RunnerError(
          `${error.message}; gave up after ${this.#replaysInARow - 1} replays of batch ${this.#batch}`,
        );
      const after = checkpoints.head(pipeline.name)?.batch ?? 0;
      settings.log(`${error.message}; replaying from the checkpoint after batch ${after}`);
      await this.#restore();
      return false;
    }
  }

  /** Back to the last checkpoint: its position, state and batch number (the start of the input without one). */
  async #restore(): Promise<CheckpointHead | undefined> {
    const { checkpoints, files, pipeline, state, records, sourceContext, replayInput, settings } = this.#run;
    const checkpoint = await restoreCheckpoint(pipeline, checkpoints, files, state, replayInput, settings.log);
    this.#recordsRead = checkpoint ? checkpoint.recordsRead : 0;
    await this.#reader.close();
    this.#reader = openSource(pipeline.source, checkpoint?.position, sourceContext);
    this.#batch = checkpoint?.batch ?? 0;
    records.openRowsWritten = checkpoint?.openRowsWritten === true;
    return checkpoint;
  }
}

/**
 * Whether a batch's progress needs a digest of its records to match only the very same batch. The generator's
 * records are a pure function of its settings, and within one process a memory, file or Kafka source gives the
 * same records at the same positions; a socket numbers its lines anew after a restart, a table may gain rows
 * inside a range read again, and a durable checkpoint may meet another input. Hashing every batch costs about a
 * fifth of a fast run: paid only where needed.
 */
function needsDigest(connector: string, durable: boolean): boolean {
  const positionsProveContent = ['generator', 'memory', 'file', 'kafka'].includes(connector);
  return connector !== 'generator' && (durable || !positionsProveContent);
}
