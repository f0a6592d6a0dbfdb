import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { defaultDeadLetterSink, PipelineNode, SinkNode } from '../../compiler/ir/index.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { runTargets } from '../../connectors/targets.ts';
import type { DeadLetter } from '../../dsl/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { RunResult } from '../runner.ts';
import { AggregationState } from './aggregation-state.ts';
import { aggregatorFor } from '../../runtime/aggregators.ts';
import { batchDigest } from './batch-digest.ts';
import {
  assertSameSource,
  FileCheckpoints,
  FallbackOffered,
  MemoryCheckpoints,
  type BatchProgress,
  type CheckpointHead,
  type CheckpointStore,
  type FileCheckpointOptions,
} from './checkpoint.ts';
import { whyNotReplay } from './replay-safety.ts';
import { StateImage } from './state-image.ts';
import { sourceIdentity } from './source-identity.ts';
import { noFaults, type FaultSpec } from '../../runtime/faults.ts';
import { compileRecordPath, rawText, windowOf } from '../../runtime/record-path.ts';
import { lateReason } from '../../runtime/windowing.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';
import { SinkWriteError, writeWithRetry } from '../../runtime/sinks/faulty-write.ts';
import {
  sinkWriter,
  type MemorySinkContents,
  type PlannedWrite,
  type SinkWriter,
} from '../../runtime/sinks/sink-writer.ts';
import { readBatch } from '../../runtime/sources/read-batch.ts';
import { lockRunFolders } from './run-locks.ts';
import { assertNoPendingRepair } from './repair-pending.ts';
import type { FolderHold } from '../../connectors/exclusive-folder.ts';
import { openSource } from '../../runtime/sources/open-source.ts';
import { SocketReceiver } from '../../connectors/socket/socket-receiver.ts';
import { KafkaInput } from '../../connectors/kafka/kafka-input.ts';
import type { SourceBatch } from '../../runtime/sources/source-reader.ts';
import { idleStopDue } from './idle-stop.ts';
import type { TargetConnector } from '../../runtime/target-connector.ts';

/** Exit code of an injected crash under the CLI (as if killed by SIGKILL). */
export const crashExitCode = 137;

export class SimulatedCrash extends Error {
  constructor(readonly batch: number) {
    super(`injected crash in batch ${batch}`);
  }
}

export interface Progress {
  readonly batch: number;
  readonly records: number;
  readonly eventsPerSecond: number;
  /** Event time of the watermark, and how far it is behind the newest event seen. */
  readonly watermark: number;
  readonly stateEntries: number;
  /** Records read from the input's start, across restarts; undefined after resuming from a checkpoint that does not say. */
  readonly recordsRead?: number;
  /** Set when this process resumed from a checkpoint (so `records` counts from there). */
  readonly resumed?: Resumed;
}

/** Where a process resumed: after which batch, and after how many records of the input (when its checkpoint says). */
export interface Resumed {
  readonly afterBatch: number;
  readonly records?: number;
}

export interface LocalRunOptions {
  /** The embedded store: target of embedded sinks, and of Cassandra sinks when no Cassandra is configured. */
  readonly store: EmbeddedStore;
  /** Folder for durable checkpoints; without it, checkpoints live in memory (no restart across processes). */
  readonly checkpointDir?: string;
  /** When a durable checkpoint compacts its deltas into a snapshot (defaults: 1 MiB, 1,000 deltas); the fault campaign compacts often. */
  readonly compaction?: Pick<FileCheckpointOptions, 'compactAfterBytes' | 'compactAfterDeltas'>;
  readonly batchSize?: number;
  /** Streaming sources: a batch closes when full or this long after its first record (default 1000 ms). */
  readonly batchIntervalMs?: number;
  /** Stop (with a checkpoint) once the source has delivered nothing for this long. */
  readonly untilIdleMs?: number;
  /** How much longer an idle run waits while its source knows of records not delivered yet (default 30 s). */
  readonly unreadGraceMs?: number;
  /** Stop (with a checkpoint) after the batch in which this many records were read. */
  readonly maxRecords?: number;
  /** Checkpoint every n batches (default 1). */
  readonly checkpointEvery?: number;
  readonly faults?: FaultSpec;
  readonly seed?: number;
  /** Record the writes instead of applying them. */
  readonly dryRun?: boolean;
  readonly memory?: MemorySinkContents;
  readonly onProgress?: (progress: Progress) => void;
  /** What an injected crash does: the CLI exits the process; tests throw SimulatedCrash. */
  readonly crash?: (batch: number) => never;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stop after the batch in flight, with a checkpoint (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
  /** How many times in a row a failing batch is replayed before the run gives up (default 10). */
  readonly maxReplays?: number;
  /**
   * Connectors of table targets beside the embedded store (a connected Cassandra, a JSONL folder): their
   * sinks write there. Without a Cassandra connector, Cassandra sinks write to the embedded store.
   */
  readonly targets?: readonly TargetConnector[];
  /** Connection attempts of a socket or Kafka source before the run fails (default 10, with doubling backoff). */
  readonly connectAttempts?: number;
}

export interface LocalRunResult extends RunResult {
  readonly plan?: readonly PlannedWrite[];
  readonly memory: MemorySinkContents;
  readonly lost: number;
  /** Faults that actually struck (the spec gives only probabilities). */
  readonly injected: { readonly writeFail: number; readonly lostAck: number; readonly duplicate: number };
  readonly stopped: 'end' | 'signal' | 'idle' | 'max-records';
  /** From the moment the input was ready (connected, partitions assigned) to the end: the figure benchmarks compare. */
  readonly processingMs: number;
  /** Set when the run resumed from a checkpoint: `recordsIn` and `batches` then count from there, and on from its batch. */
  readonly resumed?: Resumed;
}

class BatchFailed extends Error {}

const defaultCrash = (): never => process.exit(crashExitCode);
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
 */
export async function runLocal(pipeline: PipelineNode, options: LocalRunOptions): Promise<LocalRunResult> {
  const started = performance.now();
  const faults = options.faults ?? noFaults;
  const seed = options.seed ?? 1;
  const batchSize = options.batchSize ?? 1_000;
  const checkpointEvery = options.checkpointEvery ?? 1;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const files = options.checkpointDir ? new FileCheckpoints(options.checkpointDir, options.compaction) : undefined;
  const checkpoints: CheckpointStore = files ?? new MemoryCheckpoints();
  const crashes = [faults.crashAt, faults.crashAfterCheckpoint ?? [], faults.crashMidAppend ?? []];
  if (crashes.some((points) => points.length > 0) && !checkpoints.durable && !options.crash) {
    throw new RunnerError(
      '--faults crash-at / crash-after-checkpoint / crash-mid-append need --checkpoint <dir>: without a durable checkpoint a crash cannot be recovered from',
    );
  }
  const crash = options.crash ?? defaultCrash;
  const memory: MemorySinkContents = options.memory ?? new Map<string, Map<string, unknown>>();
  const plan: PlannedWrite[] | undefined = options.dryRun ? [] : undefined;

  const targets = runTargets(options.store, options.targets);
  const writers = new Map<SinkNode, SinkWriter>();
  const writerOf = (node: SinkNode) => {
    let w = writers.get(node);
    if (!w) writers.set(node, (w = sinkWriter(node, { pipeline, targets, memory, plan, log })));
    return w;
  };
  const defaultDeadLetters = defaultDeadLetterSink(pipeline, targets.has('cassandra'));
  const lateSink = PipelineNode.sinks(pipeline).find((s) => s.mode === 'append' && !s.byDefault) ?? defaultDeadLetters;

  const aggregate = PipelineNode.aggregate(pipeline);
  const counterSink = pipeline.sink.mode === 'counter';
  // Without a checkpoint folder, a failed batch rolls the state back through its undo journal (no second copy).
  const state = aggregate
    ? new AggregationState(aggregatorFor(aggregate), windowOf(pipeline), counterSink, files === undefined)
    : undefined;

  // Per-batch buffers, filled by the record path.
  let batchRandom = new SeededRandom(seed);
  const sideRows = new Map<SinkNode, unknown[]>();
  let emitted: unknown[] = [];
  const totals = { recordsIn: 0, deadLetters: 0, late: 0, lost: 0, abandoned: 0, replays: 0 };
  const rowsWritten: Record<string, number> = {};
  const injected = { writeFail: 0, lostAck: 0, duplicate: 0 };
  const push = (sink: SinkNode, row: unknown) => {
    let rows = sideRows.get(sink);
    if (!rows) sideRows.set(sink, (rows = []));
    rows.push(row);
  };
  let current: SourceBatch = { values: [], position: () => '', done: false };
  const letter = (sink: SinkNode, reason: string, index: number) =>
    push(sink, { reason, raw: rawText(current.values[index]), position: current.position(index) } satisfies DeadLetter);
  const deadLetter = (sink: SinkNode, reason: string, index: number) => {
    totals.deadLetters++;
    letter(sink, reason, index);
  };
  const path = compileRecordPath(
    pipeline,
    {
      deadLetter,
      archive: push,
      aggregate(key, eventTime, event, index) {
        if (batchRandom.chance(faults.loss)) return void totals.lost++;
        const missed = state!.add(key, eventTime, event as Record<string, unknown>, current.split?.(index));
        // Late for some or all of its windows: that part is a dead letter, counted, never dropped silently.
        if (missed.length > 0) {
          totals.late++;
          letter(lateSink, lateReason(state!.window, eventTime!, state!.watermark, missed), index);
        }
      },
      emit(event) {
        if (batchRandom.chance(faults.loss)) return void totals.lost++;
        emitted.push(event);
      },
    },
    defaultDeadLetters,
  );

  let checkpoint = checkpoints.head(pipeline.name);
  const input = sourceIdentity(pipeline.source);
  assertSameSource(checkpoint, input, options.checkpointDir ?? 'in memory');
  let batch = 0;
  /** The rows of every open `emit: 'final'` window were written as they stand (at the end of the input). */
  let openRowsWritten = false;
  const source = pipeline.source;
  // A batch's progress must match only the very same batch. The generator's records are a pure function of its
  // settings, and within one process a memory, file or Kafka source gives the same records at the same positions;
  // a socket numbers its lines anew after a restart, a table may gain rows inside a range read again, and a durable
  // checkpoint may meet another input. Hashing every batch costs about a fifth of a fast run: paid only where needed.
  const positionsProveContent = ['generator', 'memory', 'file', 'kafka'].includes(source.connector);
  const needsDigest = source.connector !== 'generator' && (checkpoints.durable || !positionsProveContent);
  // Live inputs outlive the readers that a replay reopens: one connection a run.
  const receiver =
    source.connector === 'socket'
      ? new SocketReceiver({
          host: String(source.options.host),
          port: Number(source.options.port),
          walDir: source.wal?.dir,
          acknowledge: source.wal?.acknowledge,
          log,
          attempts: options.connectAttempts,
          maxQueued: 2 * batchSize,
          crashMidAppend: midAppendCrash(),
        })
      : undefined;
  const kafka =
    source.connector === 'kafka'
      ? new KafkaInput({
          brokers: source.options.brokers as string[],
          topic: String(source.options.topic),
          groupId: String(source.options.groupId),
          log,
          attempts: options.connectAttempts,
          exclusive: aggregate !== undefined,
          commitOffsets: checkpoints.durable && !options.dryRun,
          memberFile: options.checkpointDir && join(options.checkpointDir, 'kafka-member.json'),
        })
      : undefined;
  const sourceContext = { targets, live: receiver ?? kafka };
  let inputReadyAt = performance.now();
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
    await receiver?.start();
    await kafka?.start();
    inputReadyAt = performance.now();
    return await runBatches();
  } finally {
    // Also on a (simulated) crash: the connection dies with the process, unflushed.
    receiver?.close();
    await kafka?.close();
    folders?.release();
  }

  async function runBatches(): Promise<LocalRunResult> {
    let reader = openSource(source, undefined, sourceContext);
    /** Records read from the input's start through the last batch read (unknown from a checkpoint that does not keep it). */
    let recordsRead: number | undefined = 0;
    const restore = async () => {
      checkpoint = await restoreCheckpoint();
      recordsRead = checkpoint ? checkpoint.recordsRead : 0;
      await reader.close();
      reader = openSource(source, checkpoint?.position, sourceContext);
      batch = checkpoint?.batch ?? 0;
      openRowsWritten = checkpoint?.openRowsWritten === true;
    };
    await restore();
    const resumed: Resumed | undefined = checkpoint && {
      afterBatch: checkpoint.batch,
      ...(checkpoint.recordsRead !== undefined ? { records: checkpoint.recordsRead } : {}),
    };
    if (checkpoint) log(`resuming ${pipeline.name} from the checkpoint after batch ${checkpoint.batch}`);

    let replaysInARow = 0;
    let lastRecordAt = inputReadyAt;
    let waitingSaid = false;
    const idleSay = {
      once: (line: string) => {
        if (!waitingSaid) log(line);
        waitingSaid = true;
      },
      log,
    };
    /** When the last batch's writes completed: the idle clock starts from the later of this and the last record. */
    let writesFinishedAt = 0;
    let stopped: LocalRunResult['stopped'] = 'end';
    /**
     * Batch N's sink writes and checkpoint, running while batch N+1 is read
     * and processed. Writes stay in batch order (N+1's start after N's are
     * acknowledged), so a newer upsert never lands before an older one.
     */
    let inFlight: Promise<void> | undefined;
    /** Waits for the batch in flight; false when it failed for good and the run was restored to the last checkpoint. */
    const settle = async (): Promise<boolean> => {
      const task = inFlight;
      inFlight = undefined;
      if (!task) return true;
      try {
        await task;
        replaysInARow = 0;
        return true;
      } catch (error) {
        if (!(error instanceof BatchFailed)) throw error;
        totals.replays++;
        if (++replaysInARow > (options.maxReplays ?? 10))
          throw new RunnerError(`${error.message}; gave up after ${replaysInARow - 1} replays of batch ${batch}`);
        log(
          `${error.message}; replaying from the checkpoint after batch ${checkpoints.head(pipeline.name)?.batch ?? 0}`,
        );
        await restore();
        return false;
      }
    };
    for (;;) {
      // Let the event loop breathe once a batch: when every batch has records, the loop would
      // otherwise only await settled promises and starve signals, timers and sockets.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) {
        if (await settle()) {
          stopped = 'signal';
          break;
        }
        continue;
      }
      const batchStart = reader.position();
      try {
        current = await readBatch(reader, {
          batchSize,
          bounded: source.delivery === 'bounded',
          intervalMs: options.batchIntervalMs ?? 1_000,
          sleep: options.sleep ?? realSleep,
          signal: options.signal,
        });
      } catch (error) {
        // The input failed (or a crash struck in the receiver): the batch in flight ends before this run does,
        // so that no write of this run lands after the next run has started.
        await inFlight?.catch(() => {});
        throw error;
      }
      const { values, done } = current;
      // An input that ends on a batch boundary (or a source that learns of its end only by an empty read)
      // still owes the rows of its open windows: they are written by a batch of no records.
      if (values.length === 0 && !(done && openRowsOwed())) {
        const settled = await settle();
        // Idle means no input while nothing is being written: time spent on writes, retries or a replay
        // is not silence from the source (else a long retry would end the run before a reconnect delivers).
        if (writesFinishedAt > lastRecordAt) lastRecordAt = writesFinishedAt;
        if (!settled) {
          lastRecordAt = performance.now();
          continue;
        }
        if (done) break;
        if (
          options.untilIdleMs !== undefined &&
          idleStopDue(current, performance.now() - lastRecordAt, options.untilIdleMs, idleSay, options.unreadGraceMs)
        ) {
          stopped = 'idle';
          break;
        }
        await (options.sleep ?? realSleep)(50);
        continue;
      }
      lastRecordAt = performance.now();
      batch++;
      batchRandom = new SeededRandom(seed * 7_919 + batch * 104_729 + totals.replays);
      const writeRandom = new SeededRandom(seed * 7_919 + batch * 104_729 + totals.replays + 1_000_003);
      sideRows.clear();
      emitted = [];
      totals.recordsIn += values.length;
      if (recordsRead !== undefined) recordsRead += values.length;
      const readThrough = recordsRead;
      for (let i = 0; i < values.length; i++) {
        const deliveries = batchRandom.chance(faults.duplicate) ? 2 : 1;
        injected.duplicate += deliveries - 1;
        for (let d = 0; d < deliveries; d++) {
          const pending = path(values[i], i);
          if (pending) await pending;
        }
      }
      const stopping = done || (options.maxRecords !== undefined && totals.recordsIn >= options.maxRecords);
      const mainRows = state ? aggregateRows(state, stopping) : emitted;

      const writes: [SinkWriter, unknown[]][] = [...sideRows].map(([node, rows]) => [writerOf(node), rows]);
      if (mainRows.length > 0) writes.push([writerOf(pipeline.sink), mainRows as unknown[]]);
      const thisBatch = batch;
      // What this batch's checkpoint holds, taken before the next batch changes the state:
      // the entries changed since the last checkpoint, or now and then the whole state (a compaction).
      const position = reader.position();
      const checkpointDue = thisBatch % checkpointEvery === 0 || done;
      const stateToSave = checkpointDue ? state?.takeCheckpoint(checkpoints.wantsWholeState()) : undefined;
      const openRowsWrittenHere = openRowsWritten;
      const batchReader = reader;
      const identity = { batchStart, batchEnd: position, digest: needsDigest ? batchDigest(values) : undefined };
      // The previous batch must be acknowledged before this one writes; if it failed, this batch is discarded with it.
      if (!(await settle())) continue;
      inFlight = (async () => {
        await writeBatch(thisBatch, identity, writes, writeRandom);
        writesFinishedAt = performance.now();
        if (checkpointDue) {
          checkpoints.save({
            pipeline: pipeline.name,
            batch: thisBatch,
            position,
            ...(stateToSave ? { state: stateToSave } : {}),
            source: input,
            ...(readThrough !== undefined ? { recordsRead: readThrough } : {}),
            ...(openRowsWrittenHere ? { openRowsWritten: true } : {}),
          });
          if (stateToSave) state!.checkpointSaved();
          // The kill point between a durable checkpoint and Kafka's offset commit: the group's offsets then trail the checkpoint.
          if (faults.crashAfterCheckpoint?.includes(thisBatch) && !checkpoints.crashedAt().includes(thisBatch)) {
            checkpoints.markCrash(thisBatch);
            if (!options.crash) log(`injected crash after the checkpoint of batch ${thisBatch}`);
            crash(thisBatch);
          }
          batchReader.checkpointed?.(position);
        }
        if (options.onProgress) {
          const now = performance.now();
          options.onProgress({
            batch: thisBatch,
            records: totals.recordsIn,
            eventsPerSecond: (totals.recordsIn * 1000) / Math.max(1, now - started),
            watermark: state?.watermark ?? -Infinity,
            stateEntries: state?.size ?? 0,
            ...(readThrough !== undefined ? { recordsRead: readThrough } : {}),
            ...(resumed ? { resumed } : {}),
          });
        }
      })();
      // Observed by settle(); this keeps Node from reporting it as unhandled meanwhile.
      inFlight.catch(() => {});
      if (stopping) {
        if (!(await settle())) continue;
        if (!done) stopped = 'max-records';
        break;
      }
    }
    if (!(await settle())) throw new RunnerError('a batch failed after the run stopped');
    await reader.close();
    return {
      pipeline: pipeline.name,
      batches: batch,
      recordsIn: totals.recordsIn,
      deadLetters: totals.deadLetters,
      late: totals.late,
      lost: totals.lost,
      injected,
      rowsWritten,
      abandonedWrites: totals.abandoned,
      replays: totals.replays,
      elapsedMs: performance.now() - started,
      processingMs: performance.now() - inputReadyAt,
      ...(resumed ? { resumed } : {}),
      plan,
      memory,
      stopped,
    };
  }

  /**
   * The batch's rows for the pipeline's sink, and the watermark advanced.
   * By default every (key, window) the batch changed (the whole aggregate,
   * or a counter's delta). With `emit: 'final'`, the windows the watermark
   * closed, once each; when the run stops after this batch, the open ones
   * too — all of them at the end of a bounded input, where nothing more can
   * come; at a stop by record count only for an upsert, which is rewritten
   * when the window closes (a counter's early delta could not be taken back).
   */
  function aggregateRows(state: AggregationState, stopping: boolean): readonly unknown[] {
    if (current.values.length > 0) openRowsWritten = false;
    if (!state.emitsFinal) {
      const rows = state.drainChanged(counterSink);
      state.advanceWatermark(current.pendingSplits?.());
      return rows;
    }
    state.advanceWatermark(current.pendingSplits?.());
    const rows = state.drainClosed();
    if (current.done || (stopping && !counterSink)) {
      // A counter's open windows are written once at the end and dropped: kept, a longer input
      // (a file that grew) would close them later and add their whole count a second time.
      rows.push(...(current.done && counterSink ? state.drainOpen() : state.openRows()));
      openRowsWritten = true;
    }
    return rows;
  }

  /**
   * The last checkpoint's head, its state rebuilt into the run's state. Past
   * a damaged state record, it goes back to the last checkpoint whose state
   * is whole only when reading the input again from there provably changes
   * no sink (see replay-safety.ts), and says so; else it stops, naming the
   * file, why it did not go back, and what to do. Never an empty state.
   */
  async function restoreCheckpoint(): Promise<CheckpointHead | undefined> {
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
      const why = await whyNotReplay(pipeline, fallback.head.position, damagedHead?.position, {
        startOffsets: kafka && (() => kafka.startOffsets()),
      });
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

  /** The receiver's crash-mid-append point for this run: the first named append it has not yet struck. */
  function midAppendCrash(): { append: number; crash: () => never } | undefined {
    const append = faults.crashMidAppend?.find((n) => !checkpoints.crashedAt().includes(`append ${n}`));
    if (append === undefined) return undefined;
    return {
      append,
      crash: () => {
        checkpoints.markCrash(`append ${append}`);
        if (!options.crash) log(`injected crash in the middle of WAL append ${append}`);
        return crash(0);
      },
    };
  }

  /** `emit: 'final'` windows still open whose rows were not written since they last changed. */
  function openRowsOwed(): boolean {
    return state !== undefined && state.emitsFinal && state.size > 0 && !openRowsWritten;
  }

  /**
   * The batch's sink writes in order, each recorded as done once acknowledged; an injected crash may strike between.
   * A write recorded as done is skipped only for the very same batch: same positions and same content.
   */
  async function writeBatch(
    batchNo: number,
    identity: Omit<BatchProgress, 'done'>,
    writes: readonly [SinkWriter, unknown[]][],
    random: SeededRandom,
  ): Promise<void> {
    const progress = checkpoints.progress();
    const sameBatch =
      progress &&
      isDeepStrictEqual(progress.batchStart, identity.batchStart) &&
      isDeepStrictEqual(progress.batchEnd, identity.batchEnd) &&
      progress.digest === identity.digest;
    const done = sameBatch ? [...progress.done] : [];
    // Recorded before the first write: from here the system of record may hold events past the checkpoint (repair needs to know).
    if (!sameBatch) checkpoints.saveProgress({ ...identity, done });
    const crashHere = faults.crashAt.includes(batchNo) && !checkpoints.crashedAt().includes(batchNo);
    // Crash point k: after k writes landed, before the k-th was recorded as done.
    const crashPoint = crashHere ? random.int(0, writes.length) : -1;
    const strike = () => {
      checkpoints.markCrash(batchNo);
      if (!options.crash) log(`injected crash in batch ${batchNo}`);
      crash(batchNo);
    };
    if (crashPoint === 0) strike();
    for (let i = 0; i < writes.length; i++) {
      const [writer, rows] = writes[i]!;
      if (!done.includes(writer.id)) {
        try {
          await writeWithRetry(
            writer.id,
            writer.node.retry,
            { faults, random, sleep: options.sleep ?? realSleep, injected: (f) => injected[f]++ },
            () => writer.write(rows),
          );
          rowsWritten[writer.id] = (rowsWritten[writer.id] ?? 0) + rows.length;
        } catch (error) {
          if (!(error instanceof SinkWriteError)) throw error;
          // retry: 'none' means the write is not tried again, by the sink or by a replay: its effect may be lost.
          if (writer.node.retry.retries > 0) throw new BatchFailed(error.message);
          totals.abandoned++;
          log(`${error.message}; not retried (retry: 'none')`);
        }
      }
      if (crashPoint === i + 1) strike();
      done.push(writer.id);
      checkpoints.saveProgress({ ...identity, done });
    }
  }
}
