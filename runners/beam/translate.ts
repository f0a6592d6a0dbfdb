import './node-compat.ts'; // first: Beam needs it as it loads
import * as beam from 'apache-beam';
import { impulse } from 'apache-beam/transforms/internal';
import { count, max, mean, min, sum } from 'apache-beam/transforms/combiners';
import {
  AccumulationMode_Enum,
  ClosingBehavior_Enum,
  MergeStatus_Enum,
  OnTimeBehavior_Enum,
  OutputTime_Enum,
  type WindowingStrategy,
} from 'apache-beam/proto/beam_runner_api';
import type { AggregateNode, WindowNode } from '../../compiler/ir/index.ts';
import { windowOf } from '../../runtime/record-path.ts';
import { ApplySteps, CustomCombine, eventTimestamp, FromKafka, ReadInput, ToRow, WriteSink } from './dofns.ts';
import { kafkaStream } from './kafka-stream.ts';
import type { AggregateInput, BeamRunContext, InputChunk, StepOutput } from './run-context.ts';

// Beam's combiners are typed by their accumulators; here any of them fits the one call site.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCombineFn = beam.CombineFn<any, any, any>;

/** Beam's own combiner for an aggregation, and the field of the aggregate input it reads. */
function combinerFor(aggregate: AggregateNode, runId: string): [field: keyof AggregateInput, combiner: AnyCombineFn] {
  switch (aggregate.op) {
    case 'count':
      return ['k', count];
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
 * How much longer than the allowed lateness a streaming job keeps a window (in watermark time). Which records
 * are late is decided before the grouping, by the watermark each record was read under (run-context.ts); the
 * grouping must not drop any other. It would: Flink's watermark runs ahead of the records still in the
 * TypeScript stage, and once the read has caught up it jumps to the wall clock (measured: windows fired with
 * half their records when the topic's event times were 30 minutes old). Records that reach a window after it
 * fired fire it again, with the whole aggregate.
 */
export const streamingWindowGraceMs = 60 * 60_000;

/**
 * How Beam fires a window: when the watermark passes its end, and again for each record that arrives within
 * the allowed lateness (plus `graceMs`) after that, each firing carrying the whole aggregate (an upsert writes
 * it whole, as the local runner does) or, for a counter sink, what changed.
 */
function windowingOf(window: WindowNode, counter: boolean, environmentId: string, graceMs: number): WindowingStrategy {
  return {
    windowFn: undefined,
    windowCoderId: '',
    mergeStatus: MergeStatus_Enum.NON_MERGING,
    assignsToOneWindow: window.slideMs === window.sizeMs,
    trigger: { trigger: { oneofKind: 'default', default: {} } },
    accumulationMode: counter ? AccumulationMode_Enum.DISCARDING : AccumulationMode_Enum.ACCUMULATING,
    outputTime: OutputTime_Enum.END_OF_WINDOW,
    closingBehavior: ClosingBehavior_Enum.EMIT_ALWAYS,
    onTimeBehavior: OnTimeBehavior_Enum.FIRE_ALWAYS,
    allowedLateness: BigInt(window.allowedLatenessMs + graceMs),
    environmentId,
  };
}

/** Event-time windows in Beam's terms (seconds). Tumbling windows are fixed windows. */
function windowFn(window: WindowNode) {
  return window.slideMs === window.sizeMs
    ? beam.fixedWindows(window.sizeMs / 1000)
    : beam.slidingWindows(window.sizeMs / 1000, window.slideMs / 1000);
}

/** Where the job's workers are, as far as the translation cares. */
export interface Placement {
  /** The input, carried in the job for workers outside the submitting process; absent, they read it from the run's context. */
  readonly chunks?: readonly InputChunk[];
  /** Spread the input's chunks over the job's parallel workers (a reshuffle) before the per-record steps. */
  readonly spread: boolean;
  /** A streaming job: the Kafka source read unbounded, expanded by the expansion service at this address. */
  readonly kafkaExpansion?: string;
}

/** The input as chunks of records: the bounded input from the impulse, or a Kafka topic read unbounded. */
async function readChunks(root: beam.Root, runId: string, context: BeamRunContext, placement: Placement) {
  const source = context.pipeline.source;
  if (placement.kafkaExpansion) {
    const records = await root.applyAsync(
      beam.withName('read kafka (unbounded)', kafkaStream(source, placement.kafkaExpansion)),
    );
    return records.apply(beam.withName('records', beam.parDo(new FromKafka(runId)))) as beam.PCollection<InputChunk>;
  }
  return root
    .apply(beam.withName('impulse', impulse()))
    .apply(
      beam.withName(`read ${source.connector}`, beam.parDo(new ReadInput(runId, placement.chunks))),
    ) as beam.PCollection<InputChunk>;
}

/**
 * The pipeline as Beam transforms:
 *
 *   impulse → read the bounded input, in chunks (→ reshuffle, to spread them) → the per-record steps (one DoFn) → split
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
  /* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- Beam 2.49's TypeScript declarations give parDo over our DoFn classes and split's outputs `any`; each collection is typed where it is named (PCollection<...>) */
  return async (root) => {
    let chunks = await readChunks(root, runId, context, placement);
    // The impulse is one element, so everything up to the first shuffle runs on one worker; spread the chunks first,
    // keyed by their first record (not at random, as Beam's reshuffle does: a replay sends a chunk where it went).
    if (placement.spread)
      chunks = chunks
        .apply(
          beam.withName(
            'spread',
            beam.groupBy((chunk: InputChunk) => chunk[0]?.i ?? 0),
          ),
        )
        .flatMap(beam.withName('chunks', (grouped: { value: Iterable<InputChunk> }) => grouped.value));
    const outputs = chunks
      .apply(beam.withName('steps', beam.parDo(new ApplySteps(runId))))
      .apply(beam.withName('route', beam.split<StepOutput>(['sink', 'agg'])));
    (outputs.sink as beam.PCollection<unknown>).apply(
      beam.withName('write side sinks', beam.parDo(new WriteSink(runId))),
    );
    if (!aggregate) return;
    let keyed = outputs.agg as beam.PCollection<AggregateInput>;
    if (window) {
      keyed = keyed
        .apply(beam.withName('event time', beam.assignTimestamps(eventTimestamp)))
        .apply(
          beam.withName(
            `window ${window.type}`,
            beam.windowInto(
              windowFn(window),
              windowingOf(
                window,
                pipeline.sink.mode === 'counter',
                keyed.pipeline.defaultEnvironment,
                placement.kafkaExpansion ? streamingWindowGraceMs : 0,
              ),
            ),
          ),
        );
    }
    const [field, combiner] = combinerFor(aggregate, runId);
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
