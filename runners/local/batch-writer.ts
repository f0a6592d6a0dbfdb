import { isDeepStrictEqual } from 'node:util';
import type { PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { FaultSpec } from '../../runtime/faults.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';
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
 * Writes a batch's rows sink by sink, in order, each whose repeat would count twice recorded as done once
 * acknowledged (`repeatIsHarmless`), then saves the
 * batch's checkpoint. Injected faults strike here: failed writes and lost acknowledgements (retried under
 * each sink's policy), a crash between two writes, a crash after the checkpoint.
 */
export class BatchWriter {
  readonly #pipeline: PipelineNode;
  readonly #settings: WriterSettings;
  readonly #writers = new Map<SinkNode, SinkWriter>();
  /** Whether the systems of record are written beside the other sinks (`archivesBeside`). */
  readonly #archiveBeside: boolean;
  /** When the last batch's writes completed: the batch loop's idle clock starts from the later of this and the last record. */
  writesFinishedAt = 0;

  constructor(pipeline: PipelineNode, settings: WriterSettings) {
    this.#pipeline = pipeline;
    this.#settings = settings;
    this.#archiveBeside = archivesBeside(pipeline);
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
   * The batch's sink writes, each recorded as done once acknowledged; an injected crash may strike between.
   * A write recorded as done is skipped only for the very same batch: same positions and same content.
   * The writes go in lanes (`writeLanes`): in order within a lane, the lanes side by side. Once a lane fails
   * or a crash strikes, the other lanes record nothing more (their write in flight may still land, as a
   * request sent before a kill may), and the batch fails only when every lane has stopped.
   */
  async #writeAll(job: BatchJob): Promise<void> {
    const { checkpoints, crashes } = this.#settings;
    const { batch, identity, writes } = job;
    const progress = checkpoints.progress();
    const sameBatch = progress !== undefined && isSameBatch(progress, identity);
    const done = sameBatch ? [...progress.done] : [];
    // Recorded before the first write: from here the system of record may hold events past the checkpoint (repair needs to know).
    if (!sameBatch) checkpoints.saveProgress({ ...identity, done });
    // Crash point k: after k writes landed (in the order they landed), before the k-th was recorded as done.
    const crashPoint = crashes.inBatch(batch) ? job.random.int(0, writes.length) : -1;
    if (crashPoint === 0) crashes.strikeInBatch(batch);
    const lanes = writeLanes(writes, this.#archiveBeside);
    // One lane draws from the batch's random as before; lanes side by side each from their own, so a seed's faults do not hang on timing.
    const randoms = lanes.length === 1 ? [job.random] : lanes.map(() => new SeededRandom(job.random.int(0, 2 ** 31)));
    let landed = 0;
    let stopped = false;
    const runLane = async (lane: readonly [SinkWriter, unknown[]][], random: SeededRandom) => {
      for (const [writer, rows] of lane) {
        if (stopped) return;
        if (!done.includes(writer.id)) await this.#write(writer, rows, random);
        if (stopped) return;
        if (++landed === crashPoint) {
          stopped = true;
          crashes.strikeInBatch(batch);
        }
        if (!repeatIsHarmless(writer.node)) {
          done.push(writer.id);
          checkpoints.saveProgress({ ...identity, done });
        }
      }
    };
    // The first failure in time is the batch's (a crash struck in one lane, not what it made another lane meet).
    let failure: { error: unknown } | undefined;
    await Promise.all(
      lanes.map((lane, i) =>
        runLane(lane, randoms[i]!).catch((error: unknown) => {
          stopped = true;
          failure ??= { error };
        }),
      ),
    );
    if (failure) throw failure.error;
  }

  async #write(writer: SinkWriter, rows: unknown[], random: SeededRandom): Promise<void> {
    const { faults, sleep, totals, log } = this.#settings;
    try {
      const environment = { faults, random, sleep, injected: (f: 'writeFail' | 'lostAck') => totals.injected[f]++ };
      await writeWithRetry(writer.id, writer.node.retry, environment, () => writer.write(rows));
      totals.rowsWritten[writer.id] = (totals.rowsWritten[writer.id] ?? 0) + rows.length;
    } catch (error) {
      if (!(error instanceof SinkWriteError)) throw error;
      // retry: 'none': not tried again by the sink, nor by a replay where it is recorded as done (not an upsert's
      // or an archive's, which a replay after a crash writes again: harmless, see repeatIsHarmless): its effect may be lost.
      if (writer.node.retry.retries > 0) throw new BatchFailed(error.message);
      totals.abandoned++;
      log(`${error.message}; not retried (retry: 'none')`);
    }
  }
}

/**
 * Whether a batch's systems of record may be written beside its other sinks instead of before them. Only
 * where the input gives the batch's very records again after a crash (its positions prove its content): a
 * kill after the aggregates landed and before the archive did is then mended by the replay, which archives
 * the batch before its checkpoint. A socket (even with a WAL: what the receiver held in memory dies with it)
 * or a table read again may not: there the archive goes first, so nothing is ever aggregated unarchived.
 */
export function archivesBeside(pipeline: PipelineNode): boolean {
  return ['generator', 'memory', 'file', 'kafka'].includes(pipeline.source.connector);
}

/**
 * Whether writing a sink's rows of a batch twice leaves what writing them once does: an upsert sets the same
 * columns to the same values, a system of record stores the same events under the same ids (repair reads an id
 * once). Such a write is not recorded as done, and a replay of the batch writes it again: each record is a
 * durable file write (an fsync of the file and of its folder) on the batch's path, 417 ms of the 1.7 s of work
 * of the cheat sheet's aggregates-sor speed pass. Counters, appends and custom sinks (whose `idempotent` is the
 * user's word) are recorded, so a replay of the very same batch skips them.
 */
export function repeatIsHarmless(sink: SinkNode): boolean {
  return sink.mode === 'upsert' || sink.mode === 'system-of-record';
}

/** The batch's writes in lanes: the systems of record in one and the other sinks in another, or all in one, in order. */
function writeLanes(writes: readonly [SinkWriter, unknown[]][], archiveBeside: boolean): [SinkWriter, unknown[]][][] {
  if (!archiveBeside) return [[...writes]];
  const archives = writes.filter(([writer]) => writer.node.mode === 'system-of-record');
  const others = writes.filter(([writer]) => writer.node.mode !== 'system-of-record');
  return [archives, others].filter((lane) => lane.length > 0);
}

function isSameBatch(progress: BatchProgress, identity: Omit<BatchProgress, 'done'>): boolean {
  return (
    isDeepStrictEqual(progress.batchStart, identity.batchStart) &&
    isDeepStrictEqual(progress.batchEnd, identity.batchEnd) &&
    progress.digest === identity.digest
  );
}
