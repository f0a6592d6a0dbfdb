import { randomUUID } from 'node:crypto';
import {
  defaultDeadLetterSink,
  lateDeadLetterSink,
  PipelineNode,
  type AggregateNode,
  type SinkNode,
  type WindowNode,
} from '../../compiler/ir/index.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import type { DeadLetter } from '../../dsl/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { aggregatorFor, type Aggregator } from '../../runtime/aggregators.ts';
import { noFaults, type FaultSpec } from '../../runtime/faults.ts';
import { compileRecordPath, rawText, windowOf } from '../../runtime/record-path.ts';
import { SeededRandom } from '../../runtime/seeded-random.ts';
import { SinkWriteError, writeWithRetry } from '../../runtime/sinks/faulty-write.ts';
import { sinkWriter, type MemorySinkContents, type SinkWriter } from '../../runtime/sinks/sink-writer.ts';
import type { ArchiveIdChecks, TargetConnector, Targets } from '../../runtime/target-connector.ts';
import { lateReason, windowStarts } from '../../runtime/windowing.ts';

/**
 * A record of a bounded source as it enters Beam: its place in the input and its raw value; `p`, its source
 * position (`file:line`, `topic/partition/offset`), when it travels to workers outside the submitting
 * process, which cannot ask the submitter's reader.
 */
export interface InputRecord {
  readonly i: number;
  readonly v: unknown;
  readonly p?: string;
  /** A streaming read's watermark before the record was read (epoch ms): a record late for it goes to the dead letters. */
  readonly w?: number;
}

/** Records travel in chunks: one Beam element a chunk, so a reshuffle spreads chunks, not single records, over workers. */
export type InputChunk = readonly InputRecord[];

/**
 * What the per-record steps hand on, as one tagged object for Beam's `split`:
 * a row for a sink that is written as is (system of record, dead letter, the
 * final sink of a pipeline without aggregation), or a keyed event to aggregate.
 */
export type StepOutput =
  { readonly sink: { readonly s: number; readonly row: unknown } } | { readonly agg: AggregateInput };

/** `k` is the key as JSON (Beam groups by it); `n` the combiner's numeric input; `e` the event, for custom combiners. */
export interface AggregateInput {
  readonly k: string;
  readonly t?: number;
  readonly n?: number;
  readonly e?: unknown;
}

export interface BeamRunOptions {
  readonly store: EmbeddedStore;
  /** Connectors of table targets beside the embedded store (a connected Cassandra…), as the local runner takes them. */
  readonly targets?: readonly TargetConnector[];
  readonly memory?: MemorySinkContents;
  readonly faults?: FaultSpec;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The submitter's bounded input, which in-process workers read from here rather than from the job. */
export interface LocalInput {
  readonly values: readonly unknown[];
  readonly positions: (index: number) => string;
}

/**
 * One Beam run's live half, kept in a process under a run id. Beam ships its
 * DoFns as serialised objects; ours carry only the run id (and, for workers
 * outside the submitter, the input) and find here the pipeline's functions,
 * its sinks and their connections. In the submitting process (the
 * DirectRunner, Flink's LOOPBACK environment) the runner opens it; in an
 * `idemflow worker` the worker rebuilds it from the pipeline module before
 * Beam's worker starts (`worker-jobs.ts`). Sink writes, which are
 * asynchronous, are started at the end of each bundle (Beam 2.49's
 * TypeScript DoFns are synchronous and have no setup or teardown) and
 * awaited: by the submitter after the job, by a worker before it reports
 * the bundle done.
 */
export class BeamRunContext {
  /** Every sink, by index: Beam elements name a sink by its index. */
  readonly sinks: readonly SinkNode[];
  readonly aggregate: AggregateNode | undefined;
  readonly aggregator: Aggregator | undefined;
  /** The pipeline's event-time window, if any. */
  readonly window: WindowNode | undefined;
  readonly memory: MemorySinkContents;
  /** What this process's share of the run did: records through the steps, dead letters, abandoned writes. */
  readonly totals = { records: 0, deadLetters: 0, late: 0, abandoned: 0 };
  readonly rowsWritten: Record<string, number> = {};
  readonly #writers = new Map<number, SinkWriter>();
  readonly #buffered = new Map<number, unknown[]>();
  /** Each sink's writes, chained so that they land in the order Beam produced them. */
  readonly #chains = new Map<number, Promise<void>>();
  readonly #failures: Error[] = [];
  readonly #path: (raw: unknown, index: number) => void | Promise<void>;
  #outputs: StepOutput[] = [];
  /** The record the per-record steps are on: a dead letter carries its raw value and position. */
  #current: InputRecord = { i: 0, v: undefined };
  readonly #random: SeededRandom;
  /** Await this run's writes before each bundle it took part in is reported done (a streaming run: see worker-pool.ts). */
  drainEachBundle = false;
  /**
   * How often Flink restarted the job from its last checkpoint (a session cluster's REST API tells): each re-runs the
   * records since that checkpoint, counted again in the run's records, as a replay is in the local runner's.
   */
  restartsOnCluster = 0;

  constructor(
    readonly pipeline: PipelineNode,
    readonly options: BeamRunOptions,
    /** Where the sinks write: the run's connectors, opened once by the runner (or by the worker). */
    readonly targets: Targets,
    /** The ids each system of record's table cannot keep apart (`Targets.archiveIdChecks`, asked before the job). */
    idChecks: ArchiveIdChecks,
    /** The bounded input, when this is the submitting process (absent on a worker: records bring their own). */
    readonly input?: LocalInput,
  ) {
    const defaultDeadLetters = defaultDeadLetterSink(pipeline, targets.has('cassandra'));
    this.sinks = [...PipelineNode.sinks(pipeline), defaultDeadLetters];
    this.aggregate = PipelineNode.aggregate(pipeline);
    this.aggregator = this.aggregate ? aggregatorFor(this.aggregate) : undefined;
    this.memory = options.memory ?? new Map<string, Map<string, unknown>>();
    this.#random = new SeededRandom(options.seed ?? 1);
    const numeric =
      this.aggregate && this.aggregate.op !== 'count' && this.aggregate.op !== 'custom'
        ? this.aggregate.field
        : undefined;
    const custom = this.aggregate?.op === 'custom';
    const emit = (s: SinkNode, row: unknown) => this.#outputs.push({ sink: { s: this.sinks.indexOf(s), row } });
    const letter = (sink: SinkNode, reason: string) => {
      const { i, v, p } = this.#current;
      const position = p ?? this.input?.positions(i) ?? `#${i}`;
      emit(sink, { reason, raw: rawText(v), position } satisfies DeadLetter);
    };
    const window = (this.window = windowOf(pipeline));
    const lateSink = lateDeadLetterSink(pipeline, defaultDeadLetters);
    this.#path = compileRecordPath(
      pipeline,
      {
        deadLetter: (sink, reason) => {
          this.totals.deadLetters++;
          letter(sink, reason);
        },
        archive: emit,
        aggregate: (key, t, event) => {
          const agg: { k: string; t?: number; n?: number; e?: unknown } = { k: JSON.stringify(key) };
          if (numeric !== undefined) agg.n = Number((event as Record<string, unknown>)[numeric]);
          if (custom) agg.e = event;
          if (!window || t === undefined) return void this.#outputs.push({ agg });
          const late = this.#current.w === undefined ? undefined : lateFor(window, t, this.#current.w);
          if (late) {
            this.totals.late++;
            letter(lateSink, late.reason);
          }
          // One element a window it counts in, timed at that window's last instant (see `windowElementTime`).
          for (const start of late?.open ?? windowStarts(window, t))
            this.#outputs.push({ agg: { ...agg, t: windowElementTime(window, start) } });
        },
        emit: (event) => emit(pipeline.sink, event),
      },
      defaultDeadLetters,
      idChecks,
    );
  }

  /** The per-record steps of the pipeline for a chunk of input records. */
  applySteps(chunk: InputChunk): StepOutput[] {
    this.#outputs = [];
    for (const record of chunk) this.#step(record);
    this.totals.records += chunk.length;
    return this.#outputs;
  }

  #step(record: InputRecord): void {
    this.#current = record;
    const pending = this.#path(record.v, record.i);
    if (pending instanceof Promise) {
      throw new RunnerError(
        `${this.pipeline.name}: a step of this pipeline is asynchronous (an async schema?); Beam's TypeScript DoFns are synchronous`,
      );
    }
  }

  /** Buffers a row for a sink until the end of Beam's bundle. */
  buffer(sink: number, row: unknown): void {
    let rows = this.#buffered.get(sink);
    if (!rows) this.#buffered.set(sink, (rows = []));
    rows.push(row);
  }

  /** Starts writing what the bundle buffered, each sink's rows after its earlier ones, under the sink's retry policy. */
  flush(): void {
    for (const [index, rows] of this.#buffered) {
      const writer = this.#writer(index);
      const previous = this.#chains.get(index) ?? Promise.resolve();
      const env = { faults: this.options.faults ?? noFaults, random: this.#random, sleep: realSleep };
      this.#chains.set(
        index,
        previous.then(async () => {
          try {
            await writeWithRetry(writer.id, writer.node.retry, env, () => writer.write(rows));
            this.rowsWritten[writer.id] = (this.rowsWritten[writer.id] ?? 0) + rows.length;
          } catch (error) {
            if (error instanceof SinkWriteError && writer.node.retry.retries === 0) {
              this.totals.abandoned++;
              this.options.log?.(`${error.message}; not retried (retry: 'none')`);
              return;
            }
            this.#failures.push(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    }
    this.#buffered.clear();
  }

  /** Waits for every write started; the first that failed for good fails the run (or, on a worker, the bundle). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all(this.#chains.values());
    const [failure] = this.#failures;
    if (failure) throw new RunnerError(`${this.pipeline.name} on Beam: ${failure.message}`);
  }

  #writer(index: number): SinkWriter {
    let writer = this.#writers.get(index);
    if (!writer) {
      const { log = () => {} } = this.options;
      writer = sinkWriter(this.sinks[index]!, {
        pipeline: this.pipeline,
        targets: this.targets,
        memory: this.memory,
        log,
      });
      this.#writers.set(index, writer);
    }
    return writer;
  }
}

/**
 * Whether an event at `t` is late for a watermark: behind it by more than the allowed lateness for some of
 * its windows, with the local runner's reason, and the starts of the windows still `open` (none: it is not
 * aggregated at all).
 */
function lateFor(window: WindowNode, t: number, watermark: number): { reason: string; open: number[] } | undefined {
  const starts = windowStarts(window, t);
  const closed = (s: number) => s + window.sizeMs + window.allowedLatenessMs <= watermark;
  const missed = starts.filter(closed);
  if (missed.length === 0) return undefined;
  return { reason: lateReason(window, t, watermark, missed), open: starts.filter((s) => !closed(s)) };
}

/**
 * The time an aggregate input carries into Beam for the window starting at `start`: that window's last
 * instant. Beam groups it in a fixed window of the slide's length ending where that window ends (translate.ts),
 * one per window, so an input is counted in the windows the steps chose and no other: with Beam's sliding
 * windows, one input would be counted in every window of its event time, also in those it was late for,
 * as long as Flink still holds them (which it does for `--window-grace` longer, or while its watermark
 * trails the read's).
 */
export const windowElementTime = (window: WindowNode, start: number) => start + window.sizeMs - 1;

const runs = new Map<string, BeamRunContext>();
let nextRun = 0;

/** Run ids are unique across machines too: a worker may hold runs of several submitters at once. */
const runPrefix = `run-${randomUUID().slice(0, 8)}-${process.pid}`;

export const beamRuns = {
  /** Keeps a run's context under `id` (a new id by default: the key the submitter and every worker use). */
  open(context: BeamRunContext, id: string = `${runPrefix}-${++nextRun}`): string {
    runs.set(id, context);
    return id;
  },
  has(id: string): boolean {
    return runs.has(id);
  },
  get(id: string): BeamRunContext {
    const context = runs.get(id);
    // A worker registers the run before Beam's worker that needs it starts: a miss is a worker the job did not prepare.
    if (!context)
      throw new RunnerError(
        `Beam run ${id} is not known in process ${process.pid}: its SDK worker was started without the job (LOOPBACK runs them in the submitting process; --environment external needs \`idemflow worker\`)`,
      );
    return context;
  },
  /** Every run this process holds (a worker awaits their writes before it reports a bundle done). */
  all(): IterableIterator<BeamRunContext> {
    return runs.values();
  },
  close(id: string): void {
    runs.delete(id);
  },
};
