/**
 * idemflow's pipeline DSL: `source.kafka(...).parse(schema).withEventTime(...)
 * .window(tumbling(...)).groupBy('sensorId').count().sink(cassandra.upsert(...))`.
 */
export { source } from './sources.ts';
export type {
  FileSourceOptions,
  SocketSourceOptions,
  GeneratorOptions,
  KafkaSourceOptions,
  CassandraTableOptions,
} from './sources.ts';
export { cassandra, embedded, jsonl, sink, sinks, defaultRetry } from './sinks.ts';
export type {
  SinkSpec,
  ColumnMap,
  ColumnSource,
  RetryOption,
  UpsertOptions,
  CounterOptions,
  SystemOfRecordOptions,
  JsonlUpsertOptions,
  CustomSinkOptions,
} from './sinks.ts';
export { tumbling, sliding } from './windows.ts';
export type { WindowSpec, WindowOptions } from './windows.ts';
export type { Duration } from './duration.ts';
export type { Stream, WindowedStream, Grouped, Aggregated, CustomAggregator, ParseOptions } from './stream.ts';
export type { AggregateRow, NumericField } from './rows.ts';
export type { SensorEvent } from './sensor-event.ts';
export type { DeadLetter } from './dead-letter.ts';
export { Pipeline, isPipeline } from './pipeline.ts';
export { BuildError } from './build-error.ts';
