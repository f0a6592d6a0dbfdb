/**
 * The functions idemflow hands to Beam. Beam serialises what it is given
 * and rebuilds it on its workers; objects registered with
 * `requireForSerialization` travel by name instead. So every DoFn here is an
 * instance of a registered class whose only own field is the run id (plain
 * data), and the functions Beam calls directly are registered too: nothing
 * of the user's pipeline is ever shipped as source text.
 */
import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import Long from 'long';
import type { WindowedValue } from 'apache-beam/values';
import { requireForSerialization } from 'apache-beam/serialization';
import { beamRuns, type AggregateInput, type InputRecord, type StepOutput } from './run-context.ts';

/** Emits the run's bounded input, one element a record, from the impulse. */
export class ReadInput {
  constructor(readonly runId: string) {}
  *process(): Iterable<InputRecord> {
    const { input } = beamRuns.get(this.runId);
    for (let i = 0; i < input.length; i++) yield { i, v: input[i] };
  }
}

/** parse → map/filter/flatMap → event time → archive → group key, with the local runner's semantics. */
export class ApplySteps {
  constructor(readonly runId: string) {}
  process(record: InputRecord): Iterable<StepOutput> {
    return beamRuns.get(this.runId).applySteps(record);
  }
}

/** The event time Beam windows by. */
export function eventTimestamp(element: AggregateInput): Long {
  return Long.fromNumber(element.t ?? 0);
}

/** A combined (key, window) as the row the sinks expect: the same shape the local runner writes. */
export class ToRow {
  constructor(readonly runId: string) {}
  process(combined: { k: string; value: unknown }, context: { window: { lookup(): unknown } }): Iterable<unknown> {
    const key: unknown = JSON.parse(combined.k);
    const window = context.window.lookup() as { start?: Long; end?: Long };
    if (window.start === undefined || window.end === undefined) return [{ key, value: combined.value }];
    return [{ key, windowStart: window.start.toNumber(), windowEnd: window.end.toNumber(), value: combined.value }];
  }
}

/** A user-defined combiner (`.aggregate(init, add, merge)`), as Beam's CombineFn. */
export class CustomCombine {
  constructor(readonly runId: string) {}
  createAccumulator(): unknown {
    return beamRuns.get(this.runId).aggregator!.init();
  }
  addInput(acc: unknown, event: unknown): unknown {
    return beamRuns.get(this.runId).aggregator!.add(acc, event as Record<string, unknown>);
  }
  mergeAccumulators(accs: Iterable<unknown>): unknown {
    const agg = beamRuns.get(this.runId).aggregator!;
    let merged = agg.init();
    for (const acc of accs) merged = agg.merge(merged, acc);
    return merged;
  }
  extractOutput(acc: unknown): unknown {
    return beamRuns.get(this.runId).aggregator!.result(acc);
  }
}

/** Writes rows to one sink: buffered in the bundle, written when the bundle ends. */
export class WriteSink {
  constructor(
    readonly runId: string,
    readonly sink?: number,
  ) {}
  process(element: unknown): void {
    const context = beamRuns.get(this.runId);
    if (this.sink === undefined) {
      const { s, row } = element as { s: number; row: unknown };
      context.buffer(s, row);
    } else context.buffer(this.sink, element);
  }
  finishBundle(): Iterable<WindowedValue<never>> | void {
    beamRuns.get(this.runId).flush();
  }
}

requireForSerialization('idemflow/runners/beam/dofns', {
  ReadInput,
  ApplySteps,
  eventTimestamp,
  ToRow,
  CustomCombine,
  WriteSink,
});
