import { Node, SyntaxKind } from 'ts-morph';
import {
  AggregateNode,
  ArchiveNode,
  ColumnNode,
  deadLetterSink,
  defaultRetry,
  deliveryOf,
  generatorFields,
  unnamedDeadLetterSink,
  FnNode,
  GroupByNode,
  ParseNode,
  unitMs,
  PipelineNode,
  SinkNode,
  SourceNode,
  TransformNode,
  WindowNode,
  type AggregateOp,
  type RetryPolicy,
  type SinkMode,
  type SourceConnector,
  type SourceLocation,
  type StepNode,
  type TransformKind,
} from '../ir/index.ts';
import { propertyOf, stringOf, toPlain, unknownValue, type AbstractValue } from './abstract-value.ts';
import { lineAndColumnAt } from './location.ts';

export interface CallSite {
  readonly location: SourceLocation;
}

/**
 * A function value as the IR keeps it: its text and where that starts. A
 * function we cannot see reads as the identity, placed at the call.
 */
export function fnNodeOf(value: AbstractValue, fallback: SourceLocation): FnNode {
  if (value.type !== 'fn') return FnNode.fromSource('(value) => value', fallback);
  const node = value.node;
  let start = node.getStart();
  // `export default function f(e) {…}` is not an expression; the text from `function` on is.
  if (Node.isFunctionDeclaration(node)) {
    for (const m of node.getModifiers())
      if (m.getKind() === SyntaxKind.ExportKeyword || m.getKind() === SyntaxKind.DefaultKeyword) start = m.getEnd();
  }
  const file = node.getSourceFile();
  const text = file.getFullText();
  while (/\s/.test(text[start] ?? '')) start++;
  const { line, column } = lineAndColumnAt(file, start);
  return FnNode.fromSource(text.slice(start, node.getEnd()), { file: file.getFilePath(), line, column });
}

const connectors: Readonly<Record<string, SourceConnector>> = {
  memory: 'memory',
  file: 'file',
  socket: 'socket',
  generator: 'generator',
  kafka: 'kafka',
  cassandraTable: 'cassandra-table',
};

function sourceCall(method: string, args: readonly AbstractValue[], site: CallSite): AbstractValue | undefined {
  const connector = connectors[method];
  if (!connector) return undefined;
  const options = (toPlain(args[0] ?? unknownValue) ?? {}) as Record<string, unknown>;
  const knownFields = connector === 'generator' ? generatorFields : [];
  const node = SourceNode.create({
    connector,
    delivery: deliveryOf[connector],
    options: connector === 'memory' ? {} : options,
    knownFields,
    location: site.location,
  });
  return { type: 'stream', source: node, steps: [] };
}

/** A retry option as the DSL reads it; an option we cannot read is taken as the default (retrying), the cautious guess. */
function retryOf(value: AbstractValue): RetryPolicy {
  if (value.type === 'literal' && value.value === undefined) return defaultRetry;
  if (value.type === 'literal' && value.value === 'none') return { retries: 0, backoffMs: 0 };
  const retries = toPlain(propertyOf(value, 'retries'));
  const backoff = toPlain(propertyOf(value, 'backoffMs'));
  if (typeof retries !== 'number') return defaultRetry;
  return { retries, backoffMs: typeof backoff === 'number' ? backoff : defaultRetry.backoffMs };
}

function columnsOf(value: AbstractValue, location: SourceLocation): ColumnNode[] {
  if (value.type !== 'object') return [];
  return [...value.props].map(([column, from]) => columnOf(column, from, location));
}

function columnOf(column: string, from: AbstractValue, location: SourceLocation): ColumnNode {
  if (from.type === 'fn') return ColumnNode.create(column, { type: 'fn', fn: fnNodeOf(from, location) });
  return ColumnNode.create(column, { type: 'field', field: stringOf(from) ?? column });
}

function tableSinkCall(
  target: 'cassandra' | 'embedded',
  method: string,
  args: readonly AbstractValue[],
  site: CallSite,
): AbstractValue | undefined {
  const options = args[0] ?? unknownValue;
  const table = stringOf(propertyOf(options, 'table')) ?? '<dynamic>';
  const keyspace = target === 'cassandra' ? (stringOf(propertyOf(options, 'keyspace')) ?? '<dynamic>') : undefined;
  const retry = retryOf(propertyOf(options, 'retry'));
  const make = (
    mode: SinkMode,
    props: { key: readonly ColumnNode[]; values: readonly ColumnNode[]; id?: ColumnNode; idempotent: boolean },
  ) =>
    ({
      type: 'sink-spec',
      node: SinkNode.create({ target, mode, keyspace, table, retry, location: site.location, ...props }),
    }) as const;
  switch (method) {
    case 'upsert':
      return make('upsert', {
        key: columnsOf(propertyOf(options, 'key'), site.location),
        values: columnsOf(propertyOf(options, 'values'), site.location),
        idempotent: true,
      });
    case 'counter':
      return make('counter', {
        key: columnsOf(propertyOf(options, 'key'), site.location),
        values: [
          ColumnNode.create(stringOf(propertyOf(options, 'counter')) ?? 'counter', { type: 'field', field: 'value' }),
        ],
        idempotent: false,
      });
    case 'systemOfRecord': {
      const idValue = propertyOf(options, 'id');
      const id =
        idValue.type === 'literal' && idValue.value === undefined
          ? undefined
          : columnOf('event_id', idValue, site.location);
      return make('system-of-record', { key: id ? [id] : [], values: [], id, idempotent: id !== undefined });
    }
    case 'deadLetters':
      return { type: 'sink-spec', node: deadLetterSink(target, table, keyspace, site.location) };
    default:
      return undefined;
  }
}

function otherSinkCall(method: string, args: readonly AbstractValue[], site: CallSite): AbstractValue | undefined {
  const options = args[0] ?? unknownValue;
  const base = { key: [], values: [], location: site.location };
  if (method === 'sinks.memory')
    return {
      type: 'sink-spec',
      node: SinkNode.create({
        ...base,
        target: 'memory',
        mode: 'upsert',
        table: 'memory',
        retry: defaultRetry,
        idempotent: true,
      }),
    };
  if (method === 'sinks.console')
    return {
      type: 'sink-spec',
      node: SinkNode.create({
        ...base,
        target: 'console',
        mode: 'append',
        retry: { retries: 0, backoffMs: 0 },
        idempotent: true,
      }),
    };
  if (method !== 'sink') return undefined;
  const idempotent = toPlain(propertyOf(options, 'idempotent'));
  const write = propertyOf(options, 'write');
  return {
    type: 'sink-spec',
    node: SinkNode.create({
      ...base,
      target: 'custom',
      mode: 'custom',
      table: stringOf(propertyOf(options, 'name')),
      retry: retryOf(propertyOf(options, 'retry')),
      idempotent: idempotent === true,
      ...(write.type === 'fn' ? { write: fnNodeOf(write, site.location) } : {}),
    }),
  };
}

function durationMs(value: AbstractValue | undefined): number {
  const plain = toPlain(value ?? unknownValue);
  if (typeof plain === 'number') return plain;
  if (plain && typeof plain === 'object') {
    const unit: Readonly<Record<string, number>> = unitMs;
    return Object.entries(plain).reduce(
      (sum, [k, v]) => sum + (typeof v === 'number' ? v * (unit[k] ?? Number.NaN) : Number.NaN),
      0,
    );
  }
  return Number.NaN;
}

function windowCall(type: 'tumbling' | 'sliding', args: readonly AbstractValue[], site: CallSite): AbstractValue {
  const sizeMs = durationMs(args[0]);
  const slideMs = type === 'tumbling' ? sizeMs : durationMs(args[1]);
  const options = args[type === 'tumbling' ? 1 : 2] ?? unknownValue;
  const allowedLatenessMs = durationMs(propertyOf(options, 'allowedLateness'));
  const emit = stringOf(propertyOf(options, 'emit')) === 'final' ? { emit: 'final' as const } : {};
  return {
    type: 'window-spec',
    node: WindowNode.create({
      type,
      sizeMs,
      slideMs,
      allowedLatenessMs: Number.isNaN(allowedLatenessMs) ? 0 : allowedLatenessMs,
      ...emit,
      location: site.location,
    }),
  };
}

const transforms: Readonly<Record<string, TransformKind>> = {
  map: 'Map',
  filter: 'Filter',
  flatMap: 'FlatMap',
  withEventTime: 'EventTime',
};
const aggregates: readonly AggregateOp[] = ['count', 'sum', 'min', 'max', 'avg'];

function streamCall(
  stream: Extract<AbstractValue, { type: 'stream' }>,
  method: string,
  args: readonly AbstractValue[],
  site: CallSite,
): AbstractValue | undefined {
  const next = (step: StepNode): AbstractValue => ({
    type: 'stream',
    source: stream.source,
    steps: [...stream.steps, step],
  });
  const arg = args[0] ?? unknownValue;
  const transform = transforms[method];
  if (transform) return next(TransformNode.create(transform, fnNodeOf(arg, site.location), site.location));
  if ((aggregates as readonly string[]).includes(method)) {
    const field = stringOf(arg);
    return next(
      AggregateNode.create({
        op: method as AggregateOp,
        ...(field === undefined ? {} : { field }),
        location: site.location,
      }),
    );
  }
  switch (method) {
    case 'withWal':
      return {
        type: 'stream',
        source: SourceNode.cloneWithWal(stream.source, { dir: stringOf(propertyOf(arg, 'dir')) ?? '<dynamic>' }),
        steps: stream.steps,
      };
    case 'parse': {
      const deadLetter = propertyOf(args[1] ?? unknownValue, 'deadLetter');
      const sink = deadLetter.type === 'sink-spec' ? deadLetter.node : unnamedDeadLetterSink(site.location);
      return next(
        ParseNode.create({ vendor: 'static', schema: () => undefined, deadLetter: sink, location: site.location }),
      );
    }
    case 'archive':
      return arg.type === 'sink-spec' ? next(ArchiveNode.create(arg.node, site.location)) : unknownValue;
    case 'window':
      return arg.type === 'window-spec'
        ? next({ ...arg.node, location: arg.node.location ?? site.location })
        : unknownValue;
    case 'groupBy':
      return next(
        GroupByNode.create(
          arg.type === 'fn'
            ? { type: 'fn', fn: fnNodeOf(arg, site.location) }
            : { type: 'field', field: stringOf(arg) ?? '<dynamic>' },
          site.location,
        ),
      );
    case 'aggregate': {
      const part = (name: string) => fnNodeOf(propertyOf(arg, name), site.location);
      return next(
        AggregateNode.create({
          op: 'custom',
          custom: { init: part('init'), add: part('add'), merge: part('merge') },
          location: site.location,
        }),
      );
    }
    case 'sink': {
      if (arg.type !== 'sink-spec') return unknownValue;
      const name = site.location.file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]sx?$/, '');
      return {
        type: 'pipeline',
        node: PipelineNode.create({
          name,
          source: stream.source,
          steps: stream.steps,
          sink: arg.node,
          location: site.location,
        }),
      };
    }
    default:
      return undefined;
  }
}

/**
 * The DSL's meaning for one call, statically: `source.kafka({...})` starts a
 * stream, `.groupBy('k')` adds a step, `cassandra.counter({...})` is a sink,
 * `.sink(spec)` finishes a pipeline. Undefined when the call is not the DSL's.
 */
export function callDsl(
  receiver: AbstractValue | undefined,
  method: string,
  args: readonly AbstractValue[],
  site: CallSite,
): AbstractValue | undefined {
  if (receiver === undefined) {
    if (method === 'tumbling' || method === 'sliding') return windowCall(method, args, site);
    return otherSinkCall(method, args, site);
  }
  if (receiver.type === 'stream') return streamCall(receiver, method, args, site);
  if (receiver.type === 'pipeline')
    return method === 'named'
      ? {
          type: 'pipeline',
          node: PipelineNode.cloneWithName(receiver.node, stringOf(args[0] ?? unknownValue) ?? receiver.node.name),
        }
      : undefined;
  if (receiver.type !== 'dsl') return undefined;
  if (receiver.name === 'source') return sourceCall(method, args, site);
  if (receiver.name === 'cassandra' || receiver.name === 'embedded')
    return tableSinkCall(receiver.name, method, args, site);
  if (receiver.name === 'sinks') return otherSinkCall(`sinks.${method}`, args, site);
  return undefined;
}
