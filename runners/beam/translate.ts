import './node-compat.ts'; // first: Beam needs it as it loads
import * as beam from 'apache-beam';
import { impulse } from 'apache-beam/transforms/internal';
import { count, max, mean, min, sum } from 'apache-beam/transforms/combiners';
import type { AggregateNode, WindowNode } from '../../compiler/ir/index.ts';
import Long from 'long';
import { windowOf } from '../../runtime/record-path.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import {
  ApplySteps,
  ChunkIndices,
  CustomCombine,
  eventTimestamp,
  FromKafka,
  ReadInput,
  ToRow,
  WriteSink,
} from './dofns.ts';
import { preAggregatable } from './bundle-partials.ts';
import { fetchChunks } from './fetch-chunks.ts';
import { kafkaStream } from './kafka-stream.ts';
import { defaultWindowGraceMs, windowingOf } from './window-strategy.ts';
import type { AggregateInput, BeamRunContext, InputChunk, StepOutput } from './run-context.ts';

// Beam's combiners are typed by their accumulators; here any of them fits the one call site.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCombineFn = beam.CombineFn<any, any, any>;

/**
 * Beam's own combiner for an aggregation, and the field of the aggregate input it reads. A count whose bundles
 * pre-aggregated (`preAggregated`) gets partial counts, which it sums.
 */
function combinerFor(
  aggregate: AggregateNode,
  runId: string,
  preAggregated: boolean,
): [field: keyof AggregateInput, combiner: AnyCombineFn] {
  switch (aggregate.op) {
    case 'count':
      return preAggregated ? ['n', sum] : ['k', count];
    case 'sum':
      return ['n', sum];
    case 'min':
      return ['n', min];
    case 'max':
      return ['n', max];
    case 'avg':
      return ['n', mean];
    case 'custom':
      return ['e', new CustomCombine(runId)];
  }
}

/**
 * Event-time windows in Beam's terms (seconds): fixed windows of the slide's length. A tumbling window is one;
 * each sliding window is grouped in the fixed window that ends where it ends, from the inputs the steps made
 * for it (`windowElementTime`), so the grouping never counts an input in a window the steps found it late for.
 */
function windowFn(window: WindowNode) {
  // Sliding windows end at multiples of the slide plus the size's remainder: the fixed windows are offset by it.
  const offsetMs = window.sizeMs % window.slideMs;
  if (offsetMs % 1000 !== 0)
    throw new RunnerError(
      `a ${window.type} window of ${window.sizeMs} ms sliding by ${window.slideMs} ms: on Beam its size must be a whole number of seconds past a multiple of its slide`,
    );
  return beam.fixedWindows(window.slideMs / 1000, Long.fromNumber(offsetMs / 1000));
}

/** Where the job's workers are, as far as the translation cares. */
export interface Placement {
  /**
   * For workers outside the submitting process: the input server they fetch the bounded input's chunks from, and
   * how many there are. Absent, the workers are in this process and read the input from the run's context.
   */
  readonly fetch?: { readonly url: string; readonly chunks: number };
  /** Spread the input over the job's parallel workers (a shuffle) before the per-record steps: they are apart. */
  readonly spread: boolean;
  /** A streaming job: the Kafka source read unbounded, expanded by the expansion service at this address. */
  readonly kafkaExpansion?: string;
  /** A streaming job: how long it keeps a window beyond its allowed lateness (default `defaultWindowGraceMs`). */
  readonly windowGraceMs?: number;
}

/**
 * Spreads a collection over the job's parallel workers, keyed by `key` (not at random, as Beam's reshuffle does: a
 * replay sends an element where it went). An input enters on one worker (the impulse is one element; a Kafka
 * read's split), so everything up to the first shuffle would run there.
 */
function spread<T>(items: beam.PCollection<T>, key: (item: T) => number): beam.PCollection<T> {
  const grouped = items.apply(beam.withName('spread', beam.groupBy(key))) as beam.PCollection<{ value: Iterable<T> }>;
  return grouped.flatMap(beam.withName('spread out', (group: { value: Iterable<T> }) => group.value));
}

/**
 * The input as chunks of records. A Kafka topic read unbounded; or the bounded input from the impulse: in the
 * submitting process from its reader, apart as chunk indices, spread first, whose chunks each worker fetches
 * from the submitter (the job cannot carry the records: gRPC's 4 MB message limit).
 */
async function readChunks(
  root: beam.Root,
  runId: string,
  context: BeamRunContext,
  placement: Placement,
): Promise<beam.PCollection<InputChunk>> {
  const source = context.pipeline.source;
  if (placement.kafkaExpansion) {
    const records = await root.applyAsync(
      beam.withName('read kafka (unbounded)', kafkaStream(source, placement.kafkaExpansion)),
    );
    const chunks = records.apply(
      beam.withName('records', beam.parDo(new FromKafka(runId))),
    ) as beam.PCollection<InputChunk>;
    return placement.spread ? spread(chunks, (chunk) => chunk[0]?.i ?? 0) : chunks;
  }
  const start = root.apply(beam.withName('impulse', impulse()));
  const { fetch } = placement;
  if (!fetch)
    return start.apply(
      beam.withName(`read ${source.connector}`, beam.parDo(new ReadInput(runId))),
    ) as beam.PCollection<InputChunk>;
  const indices = start.apply(
    beam.withName(`chunks of ${source.connector}`, beam.parDo(new ChunkIndices(fetch.chunks))),
  ) as beam.PCollection<number>;
  return spread(indices, (index) => index).apply(fetchChunks(fetch.url)) as beam.PCollection<InputChunk>;
}

/**
 * The pipeline as Beam transforms:
 *
 *   impulse → read the bounded input, in chunks (apart: chunk indices → spread → fetch) → the per-record steps (one DoFn) → split
 *     sink rows → write to their sinks (systems of record, dead letters, un-aggregated output)
 *     aggregate inputs → event timestamps → windowInto → groupBy(key).combining(Beam's combiner)
 *                      → rows with their window → write to the pipeline's sink
 */
export function translate(
  runId: string,
  context: BeamRunContext,
  placement: Placement = { spread: false },
): (root: beam.Root) => Promise<void> {
  const { pipeline, aggregate } = context;
  const finalSink = context.sinks.indexOf(pipeline.sink);
  const window = windowOf(pipeline);
  // Bundles pre-aggregate a count or a sum of a bounded input; a streaming read's bundles go on as they are,
  // so that no partial waits for its bundle's end behind the watermark.
  const preAggregate = !placement.kafkaExpansion && preAggregatable(aggregate?.op) ? aggregate.op : undefined;
  /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- Beam 2.49's TypeScript declarations give parDo over our DoFn classes and split's outputs `any`; each collection is typed where it is named (PCollection<...>) */
  return async (root) => {
    const chunks = await readChunks(root, runId, context, placement);
    const outputs = chunks
      .apply(beam.withName('steps', beam.parDo(new ApplySteps(runId, preAggregate))))
      .apply(beam.withName('route', beam.split<StepOutput>(['sink', 'agg'])));
    (outputs.sink as beam.PCollection<unknown>).apply(
      beam.withName('write side sinks', beam.parDo(new WriteSink(runId))),
    );
    if (!aggregate) return;
    let keyed = outputs.agg as beam.PCollection<AggregateInput>;
    const streaming = placement.kafkaExpansion
      ? { graceMs: placement.windowGraceMs ?? defaultWindowGraceMs }
      : undefined;
    const windowing = () =>
      windowingOf(window, pipeline.sink.mode === 'counter', keyed.pipeline.defaultEnvironment, streaming);
    if (window) {
      keyed = keyed
        .apply(beam.withName('event time', beam.assignTimestamps(eventTimestamp)))
        .apply(beam.withName(`window ${window.type}`, beam.windowInto(windowFn(window), windowing())));
    } else if (streaming) {
      // The global window closes only at the end of time: a streaming job fires it by processing time instead.
      keyed = keyed.apply(beam.withName('window global', beam.windowInto(beam.globalWindows(), windowing())));
    }
    const [field, combiner] = combinerFor(aggregate, runId, preAggregate !== undefined);
    keyed
      .apply(
        beam.withName(
          `group and ${aggregate.op}`,
          beam.groupBy<AggregateInput, string>('k').combining(field, combiner, 'value'),
        ),
      )
      .apply(beam.withName('rows', beam.parDo(new ToRow(runId), { window: beam.windowParam() })))
      .apply(beam.withName('write sink', beam.parDo(new WriteSink(runId, finalSink))));
  };
  /* eslint-enable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
}
