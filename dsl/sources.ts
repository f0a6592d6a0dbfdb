import { sourceNodeOf, type GeneratorSettings, type SourceCall, type SourceLocation } from '../compiler/ir/index.ts';
import { BuildError } from './build-error.ts';
import { captureCallSite } from './call-site.ts';
import { sensorEventFields, type SensorEvent } from './sensor-event.ts';
import { nonNumericFieldsOfRecords } from './field-kinds.ts';
import { createStream, type Stream } from './stream.ts';
import { assertCqlIdentifier, assertNonEmptyString, assertPositiveInteger } from './validate.ts';

/** A stream from a checked call: its node is `sourceNodeOf`'s (compiler/ir), shared with the lint. */
function start<T>(
  call: SourceCall,
  location: SourceLocation | undefined,
  extra: { knownFields?: readonly string[]; nonNumeric?: Readonly<Record<string, string>> } = {},
): Stream<T> {
  const node = sourceNodeOf(call, location, extra.knownFields);
  return createStream<T>(node, extra.knownFields, extra.nonNumeric);
}

function assertPort(call: string, port: unknown, location?: SourceLocation): number {
  const value = assertPositiveInteger(call, 'port', port, location);
  if (value > 65_535) throw new BuildError(call, `port must be at most 65535, got ${value}`, location);
  return value;
}

export interface FileSourceOptions {
  readonly format: 'jsonl' | 'csv';
}

export interface SocketSourceOptions {
  readonly host: string;
  readonly port: number;
}

/** `source.generator(options)`: its settings and their defaults are the IR's (compiler/ir/dsl-calls/source.ts). */
export type GeneratorOptions = GeneratorSettings;

export interface KafkaSourceOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
}

export interface CassandraTableOptions {
  readonly keyspace: string;
  readonly table: string;
}

function assertFraction(call: string, argument: string, value: number | undefined, location?: SourceLocation): number {
  const v = value ?? 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1))
    throw new BuildError(call, `${argument} must be between 0 and 1, got ${JSON.stringify(value)}`, location);
  return v;
}

/** Where a pipeline's records come from. Each returns a fresh, immutable stream builder. */
export const source = Object.freeze({
  /** A bounded in-memory list (objects, or raw payloads for `.parse()`): tests and dry-runs. Field names are taken from the first records. */
  memory<T>(events: readonly T[]): Stream<T> {
    const location = captureCallSite();
    if (!Array.isArray(events))
      throw new BuildError('source.memory', `events must be an array, got ${typeof events}`, location);
    const data: readonly T[] = Object.freeze(events.slice() as T[]);
    const knownFields = [
      ...new Set(data.slice(0, 100).flatMap((e) => (e && typeof e === 'object' ? Object.keys(e) : []))),
    ];
    const objects = data.length > 0 && data.slice(0, 100).every((e) => typeof e === 'object' && e !== null);
    return start<T>({ connector: 'memory', records: () => data }, location, {
      knownFields: objects ? knownFields : undefined,
      nonNumeric: objects ? nonNumericFieldsOfRecords(data) : {},
    });
  },

  /** A bounded file of JSON lines or CSV with a header row; records are raw until `.parse(schema)`. */
  file(path: string, options: FileSourceOptions): Stream<unknown> {
    const location = captureCallSite();
    assertNonEmptyString('source.file', 'path', path, location);
    if (options?.format !== 'jsonl' && options?.format !== 'csv') {
      throw new BuildError(
        'source.file',
        `format must be "jsonl" or "csv", got ${JSON.stringify(options?.format)}`,
        location,
      );
    }
    return start({ connector: 'file', path, format: options.format }, location);
  },

  /**
   * A TCP line receiver (the seed's socketTextStream): one record a line. What
   * is received but not yet processed is lost on a crash unless `.withWal()`.
   */
  socket(options: SocketSourceOptions): Stream<unknown> {
    const location = captureCallSite();
    const host = assertNonEmptyString('source.socket', 'host', options?.host, location);
    const port = assertPort('source.socket', options?.port, location);
    return start({ connector: 'socket', host, port }, location);
  },

  /** Synthetic sensor events, deterministic for a seed: event ids repeat across replays. */
  generator(options: GeneratorOptions = {}): Stream<SensorEvent> {
    const location = captureCallSite();
    const call = 'source.generator';
    // Each given setting is checked here; the defaults are `sourceNodeOf`'s, shared with the lint.
    for (const name of ['count', 'keys', 'intervalMs', 'ratePerSecond'] as const)
      if (options[name] !== undefined) assertPositiveInteger(call, name, options[name], location);
    for (const name of ['lateFraction', 'duplicateFraction'] as const)
      assertFraction(call, name, options[name], location);
    return start<SensorEvent>({ connector: 'generator', options }, location, {
      knownFields: sensorEventFields,
      nonNumeric: { eventId: 'string', sensorId: 'string' },
    });
  },

  /**
   * Kafka with the seed's Direct API semantics: partition offsets are
   * checkpointed with the state and committed only after the sinks
   * acknowledged, so a restart replays from them (at-least-once).
   */
  kafka(options: KafkaSourceOptions): Stream<unknown> {
    const location = captureCallSite();
    const call = 'source.kafka';
    if (!Array.isArray(options?.brokers) || options.brokers.length === 0) {
      throw new BuildError(call, 'brokers must be a non-empty list of "host:port"', location);
    }
    options.brokers.forEach((b, i) => {
      if (typeof b !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(b))
        throw new BuildError(call, `brokers[${i}] must be "host:port", got ${JSON.stringify(b)}`, location);
    });
    const topic = assertNonEmptyString(call, 'topic', options.topic, location);
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic))
      throw new BuildError(call, `topic ${JSON.stringify(topic)} is not a valid Kafka topic name`, location);
    const groupId = assertNonEmptyString(call, 'groupId', options.groupId, location);
    return start({ connector: 'kafka', brokers: options.brokers, topic, groupId }, location);
  },

  /** A Cassandra table read in full by token ranges: the system of record, for repair and replay. */
  cassandraTable(options: CassandraTableOptions): Stream<unknown> {
    const location = captureCallSite();
    const keyspace = assertCqlIdentifier('source.cassandraTable', 'keyspace', options?.keyspace, location);
    const table = assertCqlIdentifier('source.cassandraTable', 'table', options?.table, location);
    return start({ connector: 'cassandra-table', keyspace, table }, location);
  },
});
