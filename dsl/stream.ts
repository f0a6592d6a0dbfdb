import type { StandardSchemaV1 } from '@standard-schema/spec';
import {
  AggregateNode,
  ArchiveNode,
  FnNode,
  GroupByNode,
  ParseNode,
  PipelineNode,
  SinkNode,
  SourceNode,
  TransformNode,
  unnamedDeadLetterSink,
  type KeySelector,
  type SourceLocation,
  type StepNode,
  type TransformKind,
  type WalOptions,
} from '../compiler/ir/index.ts';
import { BuildError } from './build-error.ts';
import { captureCallSite } from './call-site.ts';
import type { DeadLetter } from './dead-letter.ts';
import { Pipeline } from './pipeline.ts';
import type { AggregateRow, FieldOf, NumericField } from './rows.ts';
import type { SinkSpec } from './sinks.ts';
import { nonNumericFieldsOfSchema } from './field-kinds.ts';
import { assertFunction, assertKnownField, assertNonEmptyString } from './validate.ts';
import type { WindowSpec } from './windows.ts';

export interface ParseOptions {
  /** Where records that fail to decode go (default: the table `dead_letters`: embedded, or in the pipeline's keyspace when run with Cassandra). */
  readonly deadLetter?: SinkSpec<DeadLetter>;
}

/** A record stream before grouping. Every method returns a new builder; none changes this one. */
export interface Stream<T> {
  /** Logs received records durably before they count as received (the seed's WAL). For receiver sources. */
  withWal(options: WalOptions): Stream<T>;
  /** Decodes and validates each record with a Standard Schema (zod, valibot, …); failures go to the dead-letter sink. */
  parse<S extends StandardSchemaV1>(schema: S, options?: ParseOptions): Stream<StandardSchemaV1.InferOutput<S>>;
  map<R>(fn: (event: T) => R): Stream<R>;
  filter(fn: (event: T) => boolean): Stream<T>;
  flatMap<R>(fn: (event: T) => Iterable<R>): Stream<R>;
  /** The event's own time (ms since the epoch or a Date): windows and watermarks use it, never the clock. */
  withEventTime(fn: (event: T) => number | Date): Stream<T>;
  /** Writes every raw event to a system of record before aggregating (for replay and repair). */
  archive(sink: SinkSpec<T>): Stream<T>;
  /** Event-time windows; needs `.withEventTime()` first. */
  window(spec: WindowSpec): WindowedStream<T>;
  groupBy<F extends FieldOf<T>>(field: F): Grouped<T, T[F], false>;
  groupBy<K>(fn: (event: T) => K): Grouped<T, K, false>;
  /** Writes records as they are (an ingest pipeline, e.g. straight into a system of record). */
  sink(spec: SinkSpec<T>): Pipeline;
}

export interface WindowedStream<T> {
  groupBy<F extends FieldOf<T>>(field: F): Grouped<T, T[F], true>;
  groupBy<K>(fn: (event: T) => K): Grouped<T, K, true>;
}

export interface CustomAggregator<T, A> {
  readonly init: () => A;
  readonly add: (acc: A, event: T) => A;
  /** Combines two partial aggregates (runners that split work need it). */
  readonly merge: (a: A, b: A) => A;
}

/** A keyed stream: pick one aggregation. */
export interface Grouped<T, K, W extends boolean> {
  count(): Aggregated<AggregateRow<K, number, W>>;
  sum(field: NumericField<T>): Aggregated<AggregateRow<K, number, W>>;
  min(field: NumericField<T>): Aggregated<AggregateRow<K, number, W>>;
  max(field: NumericField<T>): Aggregated<AggregateRow<K, number, W>>;
  avg(field: NumericField<T>): Aggregated<AggregateRow<K, number, W>>;
  aggregate<A>(aggregator: CustomAggregator<T, A>): Aggregated<AggregateRow<K, A, W>>;
}

/** Whole aggregates per (key, window), ready for a sink. */
export interface Aggregated<R> {
  sink(spec: SinkSpec<R>): Pipeline;
}

interface Props {
  readonly source: SourceNode;
  readonly steps: readonly StepNode[];
  /** Field names known at build time; undefined once a map makes them unknowable. */
  readonly knownFields: readonly string[] | undefined;
  /** Fields known to hold something other than numbers, with what they hold (for sum/min/max/avg). */
  readonly nonNumeric: Readonly<Record<string, string>>;
  readonly hasEventTime: boolean;
}

function assertSinkSpec(call: string, spec: unknown, location?: SourceLocation): SinkNode {
  const node = (spec as SinkSpec<unknown> | undefined)?.node;
  if (!node || !SinkNode.is(node)) {
    throw new BuildError(
      call,
      'expects a sink such as cassandra.upsert({...}), embedded.upsert({...}) or sink({...})',
      location,
    );
  }
  return node;
}

function finish(props: Props, sink: SinkNode, location?: SourceLocation): Pipeline {
  const name = location ? location.file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '') : 'pipeline';
  return new Pipeline(PipelineNode.create({ name, source: props.source, steps: props.steps, sink, location }));
}

/** Named by no one: the runner puts these where its other dead letters go (on Cassandra when one is configured). */
const deadLetterDefault = (location?: SourceLocation): SinkSpec<DeadLetter> => ({
  node: unnamedDeadLetterSink(location),
});

/**
 * The implementation is untyped on purpose: the public interfaces carry the
 * types, and a builder's type parameter changes with every step.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped = any;

class StreamBuilder<T> implements Stream<T>, WindowedStream<T> {
  readonly #props: Props;

  constructor(props: Props) {
    this.#props = Object.freeze(props);
  }

  #with(step: StepNode, changes: Partial<Props> = {}): StreamBuilder<Untyped> {
    return new StreamBuilder({ ...this.#props, ...changes, steps: [...this.#props.steps, step] });
  }

  #transform(kind: TransformKind, call: string, fn: unknown, changes: Partial<Props> = {}): StreamBuilder<Untyped> {
    const location = captureCallSite();
    assertFunction(call, 'fn', fn, location);
    return this.#with(TransformNode.create(kind, FnNode.create(fn as (...a: never[]) => unknown), location), changes);
  }

  withWal(options: WalOptions): Stream<T> {
    const location = captureCallSite();
    const dir = assertNonEmptyString('withWal', 'dir', options?.dir, location);
    if (this.#props.steps.length > 0)
      throw new BuildError(
        'withWal',
        'must come right after the source: the WAL logs records as they are received',
        location,
      );
    if (this.#props.source.delivery === 'offsets') {
      throw new BuildError(
        'withWal',
        'Kafka sources replay from their offsets (the Direct API) and need no WAL; remove .withWal()',
        location,
      );
    }
    const acknowledge = options.acknowledge;
    if (acknowledge !== undefined && typeof acknowledge !== 'boolean')
      throw new BuildError(
        'withWal',
        `acknowledge must be true or false, got ${JSON.stringify(acknowledge)}`,
        location,
      );
    const wal = acknowledge ? { dir, acknowledge } : { dir };
    return new StreamBuilder<T>({ ...this.#props, source: SourceNode.cloneWithWal(this.#props.source, wal) });
  }

  parse<S extends StandardSchemaV1>(schema: S, options: ParseOptions = {}): Stream<StandardSchemaV1.InferOutput<S>> {
    const location = captureCallSite();
    const standard = (schema as Partial<StandardSchemaV1> | undefined)?.['~standard'];
    if (!standard || typeof standard.validate !== 'function') {
      throw new BuildError(
        'parse',
        'expects a Standard Schema (zod, valibot, arktype…), e.g. z.object({ sensorId: z.string() })',
        location,
      );
    }
    const deadLetter = assertSinkSpec('parse: deadLetter', options.deadLetter ?? deadLetterDefault(location), location);
    // zod objects expose their shape: we can then check field names at build time.
    const shape = (schema as { shape?: unknown }).shape;
    const knownFields = shape && typeof shape === 'object' ? Object.keys(shape) : undefined;
    const nonNumeric = nonNumericFieldsOfSchema(schema);
    return this.#with(ParseNode.create({ vendor: standard.vendor, schema: () => schema, deadLetter, location }), {
      knownFields,
      nonNumeric,
    });
  }

  map<R>(fn: (event: T) => R): Stream<R> {
    return this.#transform('Map', 'map', fn, { knownFields: undefined, nonNumeric: {} });
  }

  filter(fn: (event: T) => boolean): Stream<T> {
    return this.#transform('Filter', 'filter', fn);
  }

  flatMap<R>(fn: (event: T) => Iterable<R>): Stream<R> {
    return this.#transform('FlatMap', 'flatMap', fn, { knownFields: undefined, nonNumeric: {} });
  }

  withEventTime(fn: (event: T) => number | Date): Stream<T> {
    return this.#transform('EventTime', 'withEventTime', fn, { hasEventTime: true });
  }

  archive(spec: SinkSpec<T>): Stream<T> {
    const location = captureCallSite();
    const sink = assertSinkSpec('archive', spec, location);
    if (sink.mode !== 'system-of-record') {
      throw new BuildError(
        'archive',
        `expects a system-of-record sink (cassandra.systemOfRecord or embedded.systemOfRecord), got a ${sink.mode} sink`,
        location,
      );
    }
    return this.#with(ArchiveNode.create(sink, location));
  }

  window(spec: WindowSpec): WindowedStream<T> {
    const location = captureCallSite();
    if (!spec?.node || spec.node.kind !== 'Window')
      throw new BuildError('window', 'expects tumbling(...) or sliding(...)', location);
    if (!this.#props.hasEventTime) {
      throw new BuildError(
        'window',
        'windows are over event time: call .withEventTime(e => e.ts) before .window(); the clock would make windows differ on every replay',
        location,
      );
    }
    if (this.#props.steps.some((s) => s.kind === 'Window'))
      throw new BuildError('window', 'the stream is already windowed', location);
    return this.#with({ ...spec.node, location: spec.node.location ?? location });
  }

  groupBy(selector: unknown): Grouped<T, Untyped, Untyped> {
    const location = captureCallSite();
    let by: KeySelector;
    if (typeof selector === 'function') {
      by = { type: 'fn', fn: FnNode.create(selector as (...a: never[]) => unknown) };
    } else {
      by = { type: 'field', field: assertKnownField('groupBy', 'field', selector, this.#props.knownFields, location) };
    }
    return new GroupedBuilder<T>(this.#with(GroupByNode.create(by, location)).#props);
  }

  sink(spec: SinkSpec<T>): Pipeline {
    const location = captureCallSite();
    return finish(this.#props, assertSinkSpec('sink', spec, location), location);
  }
}

class GroupedBuilder<T> implements Grouped<T, Untyped, Untyped> {
  readonly #props: Props;

  constructor(props: Props) {
    this.#props = props;
  }

  #aggregate(op: AggregateNode['op'], field: unknown, custom?: AggregateNode['custom']): Aggregated<Untyped> {
    const location = captureCallSite();
    const checkedField =
      field === undefined ? undefined : assertKnownField(op, 'field', field, this.#props.knownFields, location);
    const holds = checkedField === undefined ? undefined : this.#props.nonNumeric[checkedField];
    if (holds !== undefined) {
      throw new BuildError(
        op,
        `field "${checkedField}" holds ${holds} values, not numbers: ${op} needs a numeric field (parse it into a number first, e.g. z.coerce.number())`,
        location,
      );
    }
    const node = AggregateNode.create({ op, field: checkedField, custom, location });
    return new AggregatedBuilder({ ...this.#props, steps: [...this.#props.steps, node] });
  }

  count() {
    return this.#aggregate('count', undefined);
  }
  sum(field: NumericField<T>) {
    return this.#aggregate('sum', field);
  }
  min(field: NumericField<T>) {
    return this.#aggregate('min', field);
  }
  max(field: NumericField<T>) {
    return this.#aggregate('max', field);
  }
  avg(field: NumericField<T>) {
    return this.#aggregate('avg', field);
  }
  aggregate<A>(aggregator: CustomAggregator<T, A>) {
    const location = captureCallSite();
    for (const part of ['init', 'add', 'merge'] as const)
      assertFunction('aggregate', part, aggregator?.[part], location);
    const fn = (f: unknown) => FnNode.create(f as (...a: never[]) => unknown);
    return this.#aggregate('custom', undefined, {
      init: fn(aggregator.init),
      add: fn(aggregator.add),
      merge: fn(aggregator.merge),
    });
  }
}

class AggregatedBuilder<R> implements Aggregated<R> {
  readonly #props: Props;
  constructor(props: Props) {
    this.#props = props;
  }
  sink(spec: SinkSpec<R>): Pipeline {
    const location = captureCallSite();
    return finish(this.#props, assertSinkSpec('sink', spec, location), location);
  }
}

export function createStream<T>(
  source: SourceNode,
  knownFields: readonly string[] | undefined,
  nonNumeric: Readonly<Record<string, string>> = {},
): Stream<T> {
  return new StreamBuilder<T>({ source, steps: [], knownFields, nonNumeric, hasEventTime: false });
}
