import { repairDerivation } from '../../compiler/analysis/repair-derivation.ts';
import {
  deadLetterSink,
  PipelineNode,
  SinkNode,
  SourceNode,
  type AggregateNode,
  type StepNode,
  type WindowNode,
} from '../../compiler/ir/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { aggregatorFor, type Aggregator } from '../../runtime/aggregators.ts';
import { compileRecordPath, windowOf } from '../../runtime/record-path.ts';
import { noArchiveIdChecks } from '../../runtime/target-connector.ts';
import { compileRunPath } from '../../runtime/record-run.ts';
import { lastWindowStart, windowStarts } from '../../runtime/windowing.ts';

export class RepairRefused extends RunnerError {
  constructor(
    message: string,
    /** The compiler codes behind the refusal (IDEM001, IDEM006, IDEM007, IDEM014). */
    readonly codes: readonly string[],
  ) {
    super(message);
  }
}

/** One (key, window) an archived event counts in (windowStart undefined when unwindowed), with the event as the aggregation sees it. */
export type OnGroup = (key: unknown, windowStart: number | undefined, event: Record<string, unknown>) => void;

/** The correcting job of a pipeline: what it reads, and where each archived event counts. */
export interface RepairJob {
  readonly pipeline: PipelineNode;
  readonly systemOfRecord: SinkNode;
  readonly aggregator: Aggregator;
  /** The stream's window (its lateness included): which windows a checkpoint still holds. */
  readonly window: WindowNode | undefined;
  /**
   * Tells `onGroup` of every (key, window) each archived event of a run counts in, through the stream's
   * own steps from the archive on, in order. A promise only where a step is asynchronous: repair calls
   * this for every block, and an await (or an array) an event costs.
   */
  visitRun(events: readonly unknown[], onGroup: OnGroup): void | Promise<void>;
  /** Archived events the steps rejected (a filter is not a rejection): as the stream dead-lettered them. */
  readonly rejected: () => number;
  /** Why the first of them was rejected (undefined while none was). */
  readonly firstRejection: () => string | undefined;
}

/** Where the repair job's events come from: the archive, read by repair and handed over a run at a time. */
const archiveSource = (pipeline: PipelineNode) =>
  SourceNode.create({
    connector: 'memory',
    delivery: 'bounded',
    options: {},
    knownFields: [],
    location: pipeline.location,
  });

/**
 * The seed's correcting batch job, derived from the pipeline itself: the
 * steps after the archive (and the event time, when taken before it) over
 * each archived event. Refused, with the rule's code, where rewriting cannot
 * repair: a counter sink, no system of record, no event id, an event time
 * that the archived record no longer yields.
 */
export function repairJob(pipeline: PipelineNode): RepairJob {
  const { systemOfRecord, steps, aggregate } = repairable(pipeline);
  const window = windowOf(pipeline);
  const job = PipelineNode.create({
    name: `${pipeline.name} (repair)`,
    source: archiveSource(pipeline),
    steps,
    sink: pipeline.sink,
    location: pipeline.location,
  });
  let onGroup: OnGroup = () => {};
  let rejected = 0;
  let firstRejection: string | undefined;
  const reject = (reason: string) => {
    rejected++;
    firstRejection ??= reason;
  };
  const place = placeInWindows(window, (key, windowStart, event) => onGroup(key, windowStart, event));
  const path = compileRecordPath(
    job,
    {
      deadLetter: (_sink, reason) => reject(reason),
      archive: () => {},
      emit: () => {},
      aggregate: (key, eventTime, event) => place(key, eventTime, event as Record<string, unknown>),
    },
    deadLetterSink('embedded', 'dead_letters'),
    noArchiveIdChecks,
  );
  // The steps over a whole run at once where they allow it (no await, one event of one): no closure chain an event.
  const runPath = compileRunPath(job);
  /** The rest of a run once a step turned out asynchronous: each event awaited in turn, as the stream does. */
  const visitRest = async (events: readonly unknown[], from: number) => {
    for (let i = from; i < events.length; i++) await path(events[i], 0);
  };
  return {
    pipeline,
    systemOfRecord,
    aggregator: aggregatorFor(aggregate),
    window,
    visitRun(events, visitor) {
      onGroup = visitor;
      if (runPath) {
        const { values, keys, times, n } = runPath(events, reject);
        for (let i = 0; i < n; i++) place(keys[i], times[i], values[i] as Record<string, unknown>);
        return;
      }
      for (let i = 0; i < events.length; i++) {
        const pending = path(events[i], 0);
        if (pending) return pending.then(() => visitRest(events, i + 1));
      }
    },
    rejected: () => rejected,
    firstRejection: () => firstRejection,
  };
}

/**
 * Hands a keyed event to `onGroup` for each window it counts in (every one:
 * windows never close in repair, so a late event counts too), or once with
 * no window when the pipeline has none.
 */
function placeInWindows(window: WindowNode | undefined, onGroup: OnGroup) {
  // The tumbling window of the last event: events read together mostly share it, and a window start
  // computed anew is a number boxed an event (garbage that a process which ran a pipeline collects dearly).
  let lastStart = NaN;
  return (key: unknown, eventTime: number | undefined, e: Record<string, unknown>): void => {
    if (!window) onGroup(key, undefined, e);
    // Tumbling: its one window, with no array made an event.
    else if (window.slideMs === window.sizeMs) {
      if (!(eventTime! >= lastStart && eventTime! < lastStart + window.slideMs))
        lastStart = lastWindowStart(window, eventTime!);
      onGroup(key, lastStart, e);
    } else for (const windowStart of windowStarts(window, eventTime!)) onGroup(key, windowStart, e);
  };
}

/** What a repair is derived from, or the refusal that says why rewriting cannot repair this pipeline. */
function repairable(pipeline: PipelineNode): {
  systemOfRecord: SinkNode;
  steps: readonly StepNode[];
  aggregate: AggregateNode;
} {
  if (pipeline.sink.mode === 'counter') {
    throw new RepairRefused(
      `cannot repair ${pipeline.name}: its sink ${SinkNode.label(pipeline.sink)} is a counter, and a counter cannot be repaired by rewriting it (IDEM001); switch to cassandra.upsert`,
      ['IDEM001'],
    );
  }
  const derivation = repairDerivation(pipeline);
  const aggregate = PipelineNode.aggregate(pipeline);
  if (!derivation.repairable && derivation.reason === 'no-archive') {
    throw new RepairRefused(
      `cannot repair ${pipeline.name}: it keeps no system of record to replay from (IDEM006); add .archive(…systemOfRecord(…))`,
      ['IDEM006'],
    );
  }
  if (!derivation.repairable) {
    throw new RepairRefused(
      `cannot repair ${pipeline.name}: its event time is taken before a ${derivation.change.kind} step that changes the record ${SinkNode.label(derivation.archive.sink)} archives, so the windows cannot be rebuilt from it (IDEM014); call .withEventTime() after that step or after .archive()`,
      ['IDEM014'],
    );
  }
  const sor = derivation.archive.sink;
  if (!sor.id)
    throw new RepairRefused(`cannot repair ${pipeline.name}: its system of record has no event id (IDEM007)`, [
      'IDEM007',
    ]);
  if (!aggregate)
    throw new RepairRefused(
      `cannot repair ${pipeline.name}: it aggregates nothing, so there is no aggregate to recompute`,
      [],
    );
  return { systemOfRecord: sor, steps: derivation.steps, aggregate };
}
