/**
 * The functions idemflow hands to Beam. Beam serialises what it is given
 * and rebuilds it on its workers; objects registered with
 * `requireForSerialization` travel by name instead. So every DoFn here is an
 * instance of a registered class whose own fields are plain data — the run
 * id, or for workers outside the submitting process the number of input chunks — and the
 * functions Beam calls directly are registered too: nothing of the user's
 * pipeline is ever shipped as source text. A worker imports this module
 * itself, so the names resolve there.
 */
import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import Long from 'long';
import { PaneInfoCoder } from 'apache-beam/coders/standard_coders';
import { GlobalWindow, type WindowedValue } from 'apache-beam/values';
import { requireForSerialization } from 'apache-beam/serialization';
import { BundlePartials, type PreAggregated } from './bundle-partials.ts';
import { beamRuns, type AggregateInput, type InputChunk, type InputRecord, type StepOutput } from './run-context.ts';

/** Records a chunk: big enough that a chunk's overhead (an element, a shuffle key) is small against its records. */
export const chunkSize = 500;

/** The input in chunks of `chunkSize` records (in the submitting process: positions are asked of its reader). */
export function inputChunks(values: readonly unknown[]): InputChunk[] {
  const chunks: InputChunk[] = [];
  for (let start = 0; start < values.length; start += chunkSize) {
    const chunk: InputRecord[] = [];
    for (let i = start; i < Math.min(values.length, start + chunkSize); i++) chunk.push({ i, v: values[i] });
    chunks.push(chunk);
  }
  return chunks;
}

/** Emits the run's bounded input from the impulse, one element a chunk of records, from the submitter's reader (in its process). */
export class ReadInput {
  constructor(readonly runId: string) {}
  *process(): Iterable<InputChunk> {
    yield* inputChunks(beamRuns.get(this.runId).input?.values ?? []);
  }
}

/** For workers outside the submitting process: the indices of the input's chunks, which each worker fetches where it lands. */
export class ChunkIndices {
  constructor(readonly chunks: number) {}
  *process(): Iterable<number> {
    for (let i = 0; i < this.chunks; i++) yield i;
  }
}

/**
 * A record of a streaming Kafka read (`kafka-stream.ts`: `topic/partition/offset`, the watermark before it was read,
 * the value, a line each but the value) as a chunk of one input record with its position and that watermark.
 * Its offset stands in for its index.
 */
export class FromKafka {
  constructor(readonly runId: string) {}
  process(text: string): Iterable<InputChunk> {
    const first = text.indexOf('\n');
    const second = text.indexOf('\n', first + 1);
    const p = text.slice(0, first);
    const w = Number(text.slice(first + 1, second));
    return [[{ i: Number(p.slice(p.lastIndexOf('/') + 1)), v: text.slice(second + 1), p, w }]];
  }
}

/** Where the partials a bundle hands on at its end go: the global window of a bounded input, at its start. */
const boundedInputWindow = { windows: [new GlobalWindow()], timestamp: Long.fromValue('-9223372036854775') };

/**
 * parse → map/filter/flatMap → event time → archive → group key, with the local runner's semantics.
 * With `preAggregate` (a count or a sum over a bounded input), the aggregate inputs of a bundle are
 * summed by (key, window) in the bundle and handed on as partials when it ends (`bundle-partials.ts`):
 * one element a key and window a bundle instead of one a record. Beam builds this DoFn once for each
 * of its bundle processors, which runs one bundle at a time, so `partials` is one bundle's.
 */
export class ApplySteps {
  partials?: BundlePartials;
  constructor(
    readonly runId: string,
    readonly preAggregate?: PreAggregated,
  ) {}
  startBundle(): void {
    if (this.preAggregate) this.partials = new BundlePartials(this.preAggregate);
  }
  process(chunk: InputChunk): Iterable<StepOutput> {
    const outputs = beamRuns.get(this.runId).applySteps(chunk);
    const { partials } = this;
    if (!partials) return outputs;
    const passed: StepOutput[] = [];
    let full = false;
    for (const output of outputs) {
      if ('agg' in output) full = partials.add(output.agg) || full;
      else passed.push(output);
    }
    if (full) for (const agg of partials.take()) passed.push({ agg });
    return passed;
  }
  *finishBundle(): Iterable<WindowedValue<StepOutput>> {
    for (const agg of this.partials?.take() ?? [])
      yield { value: { agg }, ...boundedInputWindow, pane: PaneInfoCoder.ONE_AND_ONLY_FIRING };
  }
}

/** The event time Beam windows by. */
export function eventTimestamp(element: AggregateInput): Long {
  return Long.fromNumber(element.t ?? 0);
}

/**
 * A combined (key, window) as the row the sinks expect: the same shape the local runner writes. Beam's window
 * ends where the pipeline's does, and is as long as its slide (translate.ts): the start is the end minus the size.
 */
export class ToRow {
  constructor(readonly runId: string) {}
  process(combined: { k: string; value: unknown }, context: { window: { lookup(): unknown } }): Iterable<unknown> {
    const key: unknown = JSON.parse(combined.k);
    const window = context.window.lookup() as { end?: Long };
    const size = beamRuns.get(this.runId).window?.sizeMs;
    if (window.end === undefined || size === undefined) return [{ key, value: combined.value }];
    const windowEnd = window.end.toNumber();
    return [{ key, windowStart: windowEnd - size, windowEnd, value: combined.value }];
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

// The name Beam records for these: any string both ends agree on (an `idemflow worker` imports this module).
requireForSerialization('idemflow/runners/beam/dofns', {
  ReadInput,
  ChunkIndices,
  FromKafka,
  ApplySteps,
  eventTimestamp,
  ToRow,
  CustomCombine,
  WriteSink,
});
