import { defaultDeadLetterSink, lateDeadLetterSink, PipelineNode, type SinkNode } from '../../compiler/ir/index.ts';
import type { DeadLetter } from '../../dsl/index.ts';
import type { FaultSpec } from '../../runtime/faults.ts';
import { compileRecordPath, rawText } from '../../runtime/record-path.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';
import type { ArchiveIdChecks, Targets } from '../../runtime/target-connector.ts';
import type { SourceBatch } from '../../runtime/sources/source-reader.ts';
import { lateReason } from '../../runtime/windowing.ts';
import type { AggregationState } from './aggregation-state.ts';
import type { RunTotals } from './run-totals.ts';

export interface RecordSettings {
  readonly faults: FaultSpec;
  readonly totals: RunTotals;
  /** The keyed window state of an aggregating pipeline. */
  readonly state: AggregationState | undefined;
  /** Whether a default dead-letter sink writes to a connected Cassandra. */
  readonly cassandra: boolean;
  /** The ids each system of record's table cannot keep apart (`Targets.archiveIdChecks`, asked before the first batch). */
  readonly idChecks: ArchiveIdChecks;
}

const noBatch: SourceBatch = { values: [], position: () => '', done: false };

/**
 * Records routed between two turns of the event loop, so that the batch before writes while this one is
 * routed (a batch of plain steps would route without a pause): its archive blocks deflated on the thread pool, the driver's sends and the
 * acknowledgements all wait for a turn of the loop. Without one, those writes began only once this batch was
 * routed, and the run waited for them after (issue 19: a batch's commit ended 1–15 ms before the next batch
 * could start, in 12 batches of 14 in each of two runs). A turn every 1,024 records is ~20 turns a batch of 20,000.
 */
const recordsPerTurn = 1_024;
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One batch's records through the record path: each record's steps, the keyed window state, and the rows
 * the batch owes each sink (systems of record, dead letters, then the pipeline's sink). The rows are
 * buffered here until the batch writer takes them; a record is duplicated or lost here when faults say so.
 */
export class BatchRecords {
  readonly #pipeline: PipelineNode;
  readonly #faults: FaultSpec;
  readonly #totals: RunTotals;
  readonly #state: AggregationState | undefined;
  readonly #counterSink: boolean;
  readonly #path: (raw: unknown, index: number) => void | Promise<void>;
  #current = noBatch;
  #random = new SeededRandom(1);
  readonly #sideRows = new Map<SinkNode, unknown[]>();
  #emitted: unknown[] = [];
  /** The rows of every open `emit: 'final'` window were written as they stand (at the end of the input). */
  openRowsWritten = false;

  /** The batch records of a run writing to `targets`, once they told which ids their archives cannot keep apart. */
  static async open(
    pipeline: PipelineNode,
    targets: Targets,
    settings: Omit<RecordSettings, 'cassandra' | 'idChecks'>,
  ): Promise<BatchRecords> {
    const idChecks = await targets.archiveIdChecks(pipeline);
    return new BatchRecords(pipeline, { ...settings, cassandra: targets.has('cassandra'), idChecks });
  }

  constructor(pipeline: PipelineNode, settings: RecordSettings) {
    this.#pipeline = pipeline;
    this.#faults = settings.faults;
    this.#totals = settings.totals;
    this.#state = settings.state;
    this.#counterSink = pipeline.sink.mode === 'counter';
    const defaultDeadLetters = defaultDeadLetterSink(pipeline, settings.cassandra);
    const lateSink = lateDeadLetterSink(pipeline, defaultDeadLetters);
    this.#path = compileRecordPath(
      pipeline,
      {
        deadLetter: (sink, reason, index) => {
          this.#totals.deadLetters++;
          this.#letter(sink, reason, index);
        },
        archive: (sink, row) => this.#push(sink, row),
        aggregate: (key, eventTime, event, index) => this.#aggregate(key, eventTime, event, index, lateSink),
        emit: (event) => {
          if (this.#random.chance(this.#faults.loss)) return void this.#totals.lost++;
          this.#emitted.push(event);
        },
      },
      defaultDeadLetters,
      settings.idChecks,
    );
  }

  /** Runs the batch's records through the path; `random` draws this batch's duplicates and losses. */
  async route(batch: SourceBatch, random: SeededRandom): Promise<void> {
    this.#current = batch;
    this.#random = random;
    // Fresh buffers, never emptied in place: the batch before may still be writing its rows.
    this.#sideRows.clear();
    this.#emitted = [];
    const { values } = batch;
    for (let i = 0; i < values.length; i++) {
      const deliveries = random.chance(this.#faults.duplicate) ? 2 : 1;
      this.#totals.injected.duplicate += deliveries - 1;
      for (let d = 0; d < deliveries; d++) {
        const pending = this.#path(values[i], i);
        if (pending) await pending;
      }
      if (i % recordsPerTurn === recordsPerTurn - 1) await eventLoopTurn();
    }
  }

  /** The rows the batch owes each sink, in write order: systems of record and dead letters, then the pipeline's sink. */
  rowsBySink(stopping: boolean): [SinkNode, unknown[]][] {
    const mainRows = this.#state ? this.#aggregateRows(this.#state, stopping) : this.#emitted;
    const rows = [...this.#sideRows];
    if (mainRows.length > 0) rows.push([this.#pipeline.sink, mainRows as unknown[]]);
    return rows;
  }

  /** `emit: 'final'` windows still open whose rows were not written since they last changed. */
  openRowsOwed(): boolean {
    const state = this.#state;
    return state !== undefined && state.emitsFinal && state.size > 0 && !this.openRowsWritten;
  }

  #aggregate(key: unknown, eventTime: number | undefined, event: unknown, index: number, lateSink: SinkNode): void {
    if (this.#random.chance(this.#faults.loss)) return void this.#totals.lost++;
    const state = this.#state!;
    const missed = state.add(key, eventTime, event as Record<string, unknown>, this.#current.split?.(index));
    // Late for some or all of its windows: that part is a dead letter, counted, never dropped silently.
    if (missed.length > 0) {
      this.#totals.late++;
      this.#letter(lateSink, lateReason(state.window, eventTime!, state.watermark, missed), index);
    }
  }

  #letter(sink: SinkNode, reason: string, index: number): void {
    const current = this.#current;
    this.#push(sink, {
      reason,
      raw: rawText(current.values[index]),
      position: current.position(index),
    } satisfies DeadLetter);
  }

  #push(sink: SinkNode, row: unknown): void {
    let rows = this.#sideRows.get(sink);
    if (!rows) this.#sideRows.set(sink, (rows = []));
    rows.push(row);
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
  #aggregateRows(state: AggregationState, stopping: boolean): readonly unknown[] {
    const current = this.#current;
    if (current.values.length > 0) this.openRowsWritten = false;
    if (!state.emitsFinal) {
      const rows = state.drainChanged(this.#counterSink);
      state.advanceWatermark(current.pendingSplits?.());
      return rows;
    }
    state.advanceWatermark(current.pendingSplits?.());
    const rows = state.drainClosed();
    if (current.done || (stopping && !this.#counterSink)) {
      // A counter's open windows are written once at the end and dropped: kept, a longer input
      // (a file that grew) would close them later and add their whole count a second time.
      rows.push(...(current.done && this.#counterSink ? state.drainOpen() : state.openRows()));
      this.openRowsWritten = true;
    }
    return rows;
  }
}
