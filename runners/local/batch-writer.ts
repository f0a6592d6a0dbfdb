import { isDeepStrictEqual } from 'node:util';
import type { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { FaultSpec } from '../../runtime/faults.ts';
import type { SeededRandom } from '../../runtime/seeded-random.ts';
import { SinkWriteError, writeWithRetry } from '../../runtime/sinks/faulty-write.ts';
import { sinkWriter, type SinkContext, type SinkWriter } from '../../runtime/sinks/sink-writer.ts';
import type { SourceReader } from '../../runtime/sources/source-reader.ts';
import type { AggregationState } from './aggregation-state.ts';
import type { BatchProgress, CheckpointStore, CheckpointToSave } from './checkpoint.ts';
import type { CrashPoints } from './crash-points.ts';
import type { RunTotals } from './run-totals.ts';

/** A batch whose writes failed for good: the run replays from the last checkpoint. */
export class BatchFailed extends Error {}

/** One batch's writes and what follows them. */
export interface BatchJob {
  readonly batch: number;
  /** Where the batch starts and ends, and a digest of its records: a replay skips only the very same batch's writes. */
  readonly identity: Omit<BatchProgress, 'done'>;
  /** The batch's rows by sink writer, in write order (`BatchWriter.writesOf`). */
  readonly writes: readonly [SinkWriter, unknown[]][];
  /** Draws this batch's injected write faults and its crash point. */
  readonly random: SeededRandom;
  /** Saved once every write is acknowledged; absent when no checkpoint is due after this batch. */
  readonly checkpoint: CheckpointToSave | undefined;
  /** Told when the checkpoint is durable (a WAL drops what lies before it, Kafka commits its offsets). */
  readonly reader: SourceReader;
}

export interface WriterSettings extends Omit<SinkContext, 'pipeline'> {
  readonly faults: FaultSpec;
  readonly checkpoints: CheckpointStore;
  /** The run's keyed state: told when a checkpoint holding its changes is saved. */
  readonly state: AggregationState | undefined;
  readonly crashes: CrashPoints;
  readonly totals: RunTotals;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * Writes a batch's rows sink by sink, in order, each recorded as done once acknowledged, then saves the
 * batch's checkpoint. Injected faults strike here: failed writes and lost acknowledgements (retried under
 * each sink's policy), a crash between two writes, a crash after the checkpoint.
 */
export class BatchWriter {
  readonly #pipeline: PipelineNode;
  readonly #settings: WriterSettings;
  readonly #writers = new Map<SinkNode, SinkWriter>();
  /** When the last batch's writes completed: the batch loop's idle clock starts from the later of this and the last record. */
  writesFinishedAt = 0;

  constructor(pipeline: PipelineNode, settings: WriterSettings) {
    this.#pipeline = pipeline;
    this.#settings = settings;
  }

  /** Each sink's rows with its writer, made on its first rows and kept for the run. */
  writesOf(rows: readonly [SinkNode, unknown[]][]): [SinkWriter, unknown[]][] {
    return rows.map(([node, sinkRows]) => [this.#writerOf(node), sinkRows]);
  }

  /** The batch's writes, then its checkpoint when one is due: what runs while the next batch is read. */
  async commit(job: BatchJob): Promise<void> {
    await this.#writeAll(job);
    this.writesFinishedAt = performance.now();
    if (!job.checkpoint) return;
    this.#settings.checkpoints.save(job.checkpoint);
    if (job.checkpoint.state) this.#settings.state!.checkpointSaved();
    this.#settings.crashes.afterCheckpoint(job.batch);
    job.reader.checkpointed?.(job.checkpoint.position);
  }

  #writerOf(node: SinkNode): SinkWriter {
    let writer = this.#writers.get(node);
    if (!writer) this.#writers.set(node, (writer = sinkWriter(node, { ...this.#settings, pipeline: this.#pipeline })));
    return writer;
  }

  /**
   * The batch's sink writes in order, each recorded as done once acknowledged; an injected crash may strike between.
   * A write recorded as done is skipped only for the very same batch: same positions and same content.
   */
  async #writeAll(job: BatchJob): Promise<void> {
    const { checkpoints, crashes } = this.#settings;
    const { batch, identity, writes } = job;
    const progress = checkpoints.progress();
    const sameBatch = progress !== undefined && isSameBatch(progress, identity);
    const done = sameBatch ? [...progress.done] : [];
    // Recorded before the first write: from here the system of record may hold events past the checkpoint (repair needs to know).
    if (!sameBatch) checkpoints.saveProgress({ ...identity, done });
    // Crash point k: after k writes landed, before the k-th was recorded as done.
    const crashPoint = crashes.inBatch(batch) ? job.random.int(0, writes.length) : -1;
    if (crashPoint === 0) crashes.strikeInBatch(batch);
    for (let i = 0; i < writes.length; i++) {
      const [writer, rows] = writes[i]!;
      if (!done.includes(writer.id)) await this.#write(writer, rows, job.random);
      if (crashPoint === i + 1) crashes.strikeInBatch(batch);
      done.push(writer.id);
      checkpoints.saveProgress({ ...identity, done });
    }
  }

  async #write(writer: SinkWriter, rows: unknown[], random: SeededRandom): Promise<void> {
    const { faults, sleep, totals, log } = this.#settings;
    try {
      const environment = { faults, random, sleep, injected: (f: 'writeFail' | 'lostAck') => totals.injected[f]++ };
      await writeWithRetry(writer.id, writer.node.retry, environment, () => writer.write(rows));
      totals.rowsWritten[writer.id] = (totals.rowsWritten[writer.id] ?? 0) + rows.length;
    } catch (error) {
      if (!(error instanceof SinkWriteError)) throw error;
      // retry: 'none' means the write is not tried again, by the sink or by a replay: its effect may be lost.
      if (writer.node.retry.retries > 0) throw new BatchFailed(error.message);
      totals.abandoned++;
      log(`${error.message}; not retried (retry: 'none')`);
    }
  }
}

function isSameBatch(progress: BatchProgress, identity: Omit<BatchProgress, 'done'>): boolean {
  return (
    isDeepStrictEqual(progress.batchStart, identity.batchStart) &&
    isDeepStrictEqual(progress.batchEnd, identity.batchEnd) &&
    progress.digest === identity.digest
  );
}
