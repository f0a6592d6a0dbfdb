import {
  AggregateNode,
  ArchiveNode,
  ColumnNode,
  consoleSinkNodeOf,
  customSinkNodeOf,
  durationMs,
  unnamedDeadLetterSink,
  FnNode,
  GroupByNode,
  jsonlSinkNodeOf,
  memorySinkNodeOf,
  ParseNode,
  PipelineNode,
  pipelineNodeOf,
  sourceMethods,
  sourceNodeOf,
  SourceNode,
  tableSinkNodeOf,
  TransformNode,
  windowNodeOf,
  type AggregateOp,
  type RetryOption,
  type SourceCall,
  type SourceLocation,
  type StepNode,
  type TransformKind,
} from '../ir/index.ts';
import { functionTextStart } from '../analysis/call-graph/function-at.ts';
import { propertyOf, stringOf, toPlain, unknownValue, type AbstractValue } from './abstract-value.ts';
import { lineAndColumnAt } from './location.ts';
import { lookupTable } from '../analysis/lookup-table.ts';

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
  // `export default async function f(e) {…}` is not an expression; the text from `async function` on is.
  // ts-morph bundles its own TypeScript, whose syntax kinds are the compiler's.
  const start = functionTextStart(node.compilerNode as unknown as Parameters<typeof functionTextStart>[0]);
  const file = node.getSourceFile();
  const text = file.getFullText();
  const { line, column } = lineAndColumnAt(file, start);
  return FnNode.fromSource(text.slice(start, node.getEnd()), { file: file.getFilePath(), line, column });
}

/** What cannot be read statically, where the IR wants text. */
const dynamic = '<dynamic>';

/** A source call's settings as far as they can be read; what cannot be read is `<dynamic>`. */
function sourceCallOf(method: string, args: readonly AbstractValue[]): SourceCall | undefined {
  const connector = sourceMethods[method];
  const first = args[0] ?? unknownValue;
  const text = (value: AbstractValue, name: string) => stringOf(propertyOf(value, name)) ?? dynamic;
  switch (connector) {
    case undefined:
      return undefined;
    case 'memory':
      return { connector };
    case 'file':
      return { connector, path: stringOf(first) ?? dynamic, format: text(args[1] ?? unknownValue, 'format') };
    case 'socket': {
      const port = toPlain(propertyOf(first, 'port'));
      return { connector, host: text(first, 'host'), port: typeof port === 'number' ? port : Number.NaN };
    }
    case 'generator':
      return { connector, options: numbersOf(first) };
    case 'kafka': {
      const brokers = toPlain(propertyOf(first, 'brokers'));
      return {
        connector,
        brokers: Array.isArray(brokers) ? brokers.map((b) => (typeof b === 'string' ? b : dynamic)) : [dynamic],
        topic: text(first, 'topic'),
        groupId: text(first, 'groupId'),
      };
    }
    case 'cassandra-table':
      return { connector, keyspace: text(first, 'keyspace'), table: text(first, 'table') };
  }
}

/** The numeric properties of an options object that can be read; the rest are left to the defaults. */
function numbersOf(value: AbstractValue): Record<string, number> {
  const plain = toPlain(value);
  if (plain === null || typeof plain !== 'object') return {};
  return Object.fromEntries(Object.entries(plain).filter(([, v]) => typeof v === 'number'));
}

function sourceCall(method: string, args: readonly AbstractValue[], site: CallSite): AbstractValue | undefined {
  const call = sourceCallOf(method, args);
  if (!call) return undefined;
  return { type: 'stream', source: sourceNodeOf(call, site.location), steps: [] };
}

/** A retry option as the DSL reads it; an option we cannot read is taken as the default (retrying), the cautious guess. */
function retryOf(value: AbstractValue): RetryOption | undefined {
  if (value.type === 'literal' && value.value === 'none') return 'none';
  const retries = toPlain(propertyOf(value, 'retries'));
  const backoff = toPlain(propertyOf(value, 'backoffMs'));
  if (typeof retries !== 'number') return undefined;
  return typeof backoff === 'number' ? { retries, backoffMs: backoff } : { retries };
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
  const where = {
    target,
    table: stringOf(propertyOf(options, 'table')) ?? dynamic,
    ...(target === 'cassandra' ? { keyspace: stringOf(propertyOf(options, 'keyspace')) ?? dynamic } : {}),
    retry: retryOf(propertyOf(options, 'retry')),
  };
  const columns = (name: string) => columnsOf(propertyOf(options, name), site.location);
  const node = (() => {
    switch (method) {
      case 'upsert':
        return tableSinkNodeOf(
          { ...where, call: method, key: columns('key'), values: columns('values') },
          site.location,
        );
      case 'counter': {
        const counter = stringOf(propertyOf(options, 'counter')) ?? 'counter';
        return tableSinkNodeOf({ ...where, call: method, key: columns('key'), counter }, site.location);
      }
      case 'systemOfRecord': {
        const idValue = propertyOf(options, 'id');
        const absent = idValue.type === 'literal' && idValue.value === undefined;
        const id = absent ? undefined : columnOf('event_id', idValue, site.location).from;
        return tableSinkNodeOf({ ...where, call: method, id }, site.location);
      }
      case 'deadLetters':
        return tableSinkNodeOf({ ...where, call: method }, site.location);
      default:
        return undefined;
    }
  })();
  return node && { type: 'sink-spec', node };
}

/** `jsonl.upsert({ dir, table, key, values, retry })`: a table kept as a JSONL file. */
function jsonlSinkCall(method: string, args: readonly AbstractValue[], site: CallSite): AbstractValue | undefined {
  if (method !== 'upsert') return undefined;
  const options = args[0] ?? unknownValue;
  const columns = (name: string) => columnsOf(propertyOf(options, name), site.location);
  const node = jsonlSinkNodeOf(
    {
      dir: stringOf(propertyOf(options, 'dir')) ?? dynamic,
      table: stringOf(propertyOf(options, 'table')) ?? dynamic,
      key: columns('key'),
      values: columns('values'),
      retry: retryOf(propertyOf(options, 'retry')),
    },
    site.location,
  );
  return { type: 'sink-spec', node };
}

function otherSinkCall(method: string, args: readonly AbstractValue[], site: CallSite): AbstractValue | undefined {
  const options = args[0] ?? unknownValue;
  if (method === 'sinks.memory')
    return { type: 'sink-spec', node: memorySinkNodeOf(stringOf(options) ?? 'memory', site.location) };
  if (method === 'sinks.console') return { type: 'sink-spec', node: consoleSinkNodeOf(site.location) };
  if (method !== 'sink') return undefined;
  const write = propertyOf(options, 'write');
  // A write that is there but cannot be evaluated (`store.write.bind(store)`) is kept, placed at the call:
  // the call graph then finds it from the sink's call, as `check` does.
  const hasWrite = write.type === 'fn' || (options.type === 'object' && options.props.has('write'));
  const node = customSinkNodeOf(
    {
      name: stringOf(propertyOf(options, 'name')),
      idempotent: toPlain(propertyOf(options, 'idempotent')) === true,
      retry: retryOf(propertyOf(options, 'retry')),
      ...(hasWrite ? { write: fnNodeOf(write, site.location) } : {}),
    },
    site.location,
  );
  return { type: 'sink-spec', node };
}

/** A duration's milliseconds as far as they can be read: NaN for what cannot. */
function durationOf(value: AbstractValue | undefined): number {
  const plain = toPlain(value ?? unknownValue);
  return typeof plain === 'number' || (plain !== null && typeof plain === 'object')
    ? durationMs(plain as Record<string, unknown>)
    : Number.NaN;
}

function windowCall(type: 'tumbling' | 'sliding', args: readonly AbstractValue[], site: CallSite): AbstractValue {
  const options = args[type === 'tumbling' ? 1 : 2] ?? unknownValue;
  const lateness = durationOf(propertyOf(options, 'allowedLateness'));
  const node = windowNodeOf(
    {
      type,
      sizeMs: durationOf(args[0]),
      slideMs: durationOf(args[1]),
      // An allowed lateness that cannot be read is taken as none, the default.
      ...(Number.isNaN(lateness) ? {} : { allowedLatenessMs: lateness }),
      ...(stringOf(propertyOf(options, 'emit')) === 'final' ? { emit: 'final' as const } : {}),
    },
    site.location,
  );
  return { type: 'window-spec', node };
}

const transforms = lookupTable<TransformKind>({
  map: 'Map',
  filter: 'Filter',
  flatMap: 'FlatMap',
  withEventTime: 'EventTime',
});
const aggregates: readonly AggregateOp[] = ['count', 'sum', 'min', 'max', 'avg'];

function streamCall(
  stream: Extract<AbstractValue, { type: 'stream' }>,
  method: string,
  args: readonly AbstractValue[],
  site: CallSite,
): AbstractValue | undefined {
  const arg = args[0] ?? unknownValue;
  if (method === 'withWal')
    return {
      type: 'stream',
      source: SourceNode.cloneWithWal(stream.source, { dir: stringOf(propertyOf(arg, 'dir')) ?? dynamic }),
      steps: stream.steps,
    };
  if (method === 'sink') {
    if (arg.type !== 'sink-spec') return unknownValue;
    return {
      type: 'pipeline',
      node: pipelineNodeOf({ source: stream.source, steps: stream.steps, sink: arg.node }, site.location),
    };
  }
  const step = stepOf(method, args, site);
  if (step === undefined) return undefined;
  if (step === 'unreadable') return unknownValue;
  return { type: 'stream', source: stream.source, steps: [...stream.steps, step] };
}

/** The step a stream method adds; 'unreadable' when the call is the DSL's but its argument cannot be read statically. */
function stepOf(method: string, args: readonly AbstractValue[], site: CallSite): StepNode | 'unreadable' | undefined {
  const arg = args[0] ?? unknownValue;
  const transform = transforms[method];
  if (transform) return TransformNode.create(transform, fnNodeOf(arg, site.location), site.location);
  if ((aggregates as readonly string[]).includes(method)) {
    const field = stringOf(arg);
    return AggregateNode.create({
      op: method as AggregateOp,
      ...(field === undefined ? {} : { field }),
      location: site.location,
    });
  }
  switch (method) {
    case 'parse': {
      const deadLetter = propertyOf(args[1] ?? unknownValue, 'deadLetter');
      const sink = deadLetter.type === 'sink-spec' ? deadLetter.node : unnamedDeadLetterSink(site.location);
      return ParseNode.create({ vendor: 'static', schema: () => undefined, deadLetter: sink, location: site.location });
    }
    case 'archive':
      return arg.type === 'sink-spec' ? ArchiveNode.create(arg.node, site.location) : 'unreadable';
    case 'window':
      return arg.type === 'window-spec' ? { ...arg.node, location: arg.node.location ?? site.location } : 'unreadable';
    case 'groupBy':
      return GroupByNode.create(
        arg.type === 'fn'
          ? { type: 'fn', fn: fnNodeOf(arg, site.location) }
          : { type: 'field', field: stringOf(arg) ?? dynamic },
        site.location,
      );
    case 'aggregate': {
      const part = (name: string) => fnNodeOf(propertyOf(arg, name), site.location);
      return AggregateNode.create({
        op: 'custom',
        custom: { init: part('init'), add: part('add'), merge: part('merge') },
        location: site.location,
      });
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
  if (receiver.name === 'jsonl') return jsonlSinkCall(method, args, site);
  if (receiver.name === 'sinks') return otherSinkCall(`sinks.${method}`, args, site);
  return undefined;
}
