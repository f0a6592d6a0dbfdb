import type { StepNode } from '../compiler/ir/index.ts';
import { PipelineNode } from '../compiler/ir/index.ts';
import { badEventTime, message, numericFieldCheck } from './record-stages.ts';
import { fieldReader } from './own-field.ts';

/**
 * A run of events as the steps leave it: the first `n` of `values`, each
 * with its group key and its event time (when the pipeline takes one).
 * Rejected and filtered events are compacted out in place.
 */
export interface RunOfEvents {
  values: unknown[];
  keys: unknown[];
  times: number[];
  n: number;
}

/** One step over a whole run: it rewrites the run in place; a rejected event goes to `reject` with the reason. */
type RunStage = (run: RunOfEvents, reject: (reason: string) => void) => void;

/** A run's stage for each kind of step that needs no await and makes one event of one; undefined for the others. */
function runStageOf(step: StepNode, pipeline: PipelineNode): RunStage | null | undefined {
  switch (step.kind) {
    case 'Map':
      return mapStage(step.fn.fn as (v: unknown) => unknown);
    case 'Filter':
      return filterStage(step.fn.fn as (v: unknown) => boolean);
    case 'EventTime':
      return eventTimeStage(step.fn.fn as (v: unknown) => number | Date);
    case 'GroupBy':
      return groupByStage(step, pipeline);
    case 'Window':
    case 'Aggregate':
      // Applied by what takes the keyed events (as in the record path).
      return null;
    default:
      // Parse (its schema may answer later), FlatMap (many of one), Archive: the record path does these.
      return undefined;
  }
}

function mapStage(fn: (v: unknown) => unknown): RunStage {
  return (run, reject) => {
    const { values, times } = run;
    let kept = 0;
    for (let i = 0; i < run.n; i++) {
      let mapped: unknown;
      try {
        mapped = fn(values[i]);
      } catch (error) {
        reject(`map threw: ${message(error)}`);
        continue;
      }
      times[kept] = times[i]!;
      values[kept++] = mapped;
    }
    run.n = kept;
  };
}

function filterStage(fn: (v: unknown) => boolean): RunStage {
  return (run, reject) => {
    const { values, times } = run;
    let kept = 0;
    for (let i = 0; i < run.n; i++) {
      let pass: unknown;
      try {
        pass = fn(values[i]);
      } catch (error) {
        reject(`filter threw: ${message(error)}`);
        continue;
      }
      if (pass !== true) continue;
      times[kept] = times[i]!;
      values[kept++] = values[i];
    }
    run.n = kept;
  };
}

function eventTimeStage(fn: (v: unknown) => number | Date): RunStage {
  return (run, reject) => {
    const { values, times } = run;
    let kept = 0;
    for (let i = 0; i < run.n; i++) {
      let raw: number | Date;
      try {
        raw = fn(values[i]);
      } catch (error) {
        reject(`event time threw: ${message(error)}`);
        continue;
      }
      const t = raw instanceof Date ? raw.getTime() : raw;
      if (typeof t !== 'number' || !Number.isFinite(t)) {
        reject(badEventTime(t));
        continue;
      }
      times[kept] = t;
      values[kept++] = values[i];
    }
    run.n = kept;
  };
}

function groupByStage(step: Extract<StepNode, { kind: 'GroupBy' }>, pipeline: PipelineNode): RunStage {
  const notNumeric = numericFieldCheck(pipeline);
  const by = step.by;
  const field = by.type === 'field' ? by.field : undefined;
  const read = field === undefined ? undefined : fieldReader(field);
  const fn = by.type === 'fn' ? (by.fn.fn as (v: unknown) => unknown) : undefined;
  return (run, reject) => {
    const { values, keys, times } = run;
    let kept = 0;
    for (let i = 0; i < run.n; i++) {
      const value = values[i];
      let key: unknown;
      if (field !== undefined) {
        key = read!(value);
        if (key === undefined || key === null) {
          reject(`group key \`${field}\` is missing`);
          continue;
        }
      } else {
        try {
          key = fn!(value);
        } catch (error) {
          reject(`group key function threw: ${message(error)}`);
          continue;
        }
      }
      const problem = notNumeric?.(value);
      if (problem !== undefined) {
        reject(problem);
        continue;
      }
      times[kept] = times[i]!;
      keys[kept] = key;
      values[kept++] = value;
    }
    run.n = kept;
  };
}

/**
 * The steps of an aggregating pipeline over a whole run of events at once,
 * a loop a step: what the record path does one event at a time (the same
 * rejections, with the same reasons), without a chain of closures and a
 * possible promise an event. Events keep their order within each step, so
 * each group takes its events in the order the record path gives them.
 * Undefined when some step needs the record path: a Parse (its schema may
 * answer later), a FlatMap or an Archive, or a pipeline that does not group.
 * Repair reads the system of record a block at a time this way.
 */
export function compileRunPath(
  pipeline: PipelineNode,
): ((events: readonly unknown[], reject: (reason: string) => void) => RunOfEvents) | undefined {
  if (!pipeline.steps.some((s) => s.kind === 'GroupBy') || !PipelineNode.aggregate(pipeline)) return undefined;
  const stages: RunStage[] = [];
  for (const step of pipeline.steps) {
    const stage = runStageOf(step, pipeline);
    if (stage === undefined) return undefined;
    if (stage) stages.push(stage);
    // The group key hands each event to the aggregation: the steps after it are applied there.
    if (step.kind === 'GroupBy') break;
  }
  const run: RunOfEvents = { values: [], keys: [], times: [], n: 0 };
  return (events, reject) => {
    run.values = events.slice();
    run.keys = new Array<unknown>(events.length);
    run.times = new Array<number>(events.length).fill(NaN);
    run.n = events.length;
    for (const stage of stages) stage(run, reject);
    return run;
  };
}
