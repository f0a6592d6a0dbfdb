import type { SourceLocation } from '../source-location.ts';
import { deliveryOf, generatorFields, SourceNode, type SourceConnector } from '../source-node.ts';

/**
 * `source.generator(options)`'s settings (the DSL's `GeneratorOptions`), each defaulted here: the DSL
 * and the lint both see the same events.
 */
export interface GeneratorSettings {
  /** Seed of the pseudo-random sequence: the same seed gives the same events. */
  readonly seed?: number;
  /** How many events (default 10,000). */
  readonly count?: number;
  /** How many distinct sensors (default 100). */
  readonly keys?: number;
  /** Event-time spacing between consecutive events in ms (default 10). */
  readonly intervalMs?: number;
  /** First event time (default 2024-01-01T00:00:00Z). */
  readonly startTs?: number;
  /** Fraction of events delivered late, out of event-time order (default 0). */
  readonly lateFraction?: number;
  /** Fraction of events delivered twice, as a retrying producer would (default 0). */
  readonly duplicateFraction?: number;
  /** Emit at most this many events a second of wall-clock time (default: as fast as possible). */
  readonly ratePerSecond?: number;
}

/** A `source.<connector>(…)` call's settings (the connector's name in the IR, not the DSL method's). */
export type SourceCall =
  | { readonly connector: 'memory'; readonly records?: () => readonly unknown[] }
  | { readonly connector: 'file'; readonly path: string; readonly format: string }
  | { readonly connector: 'socket'; readonly host: string; readonly port: number }
  | { readonly connector: 'generator'; readonly options: GeneratorSettings }
  | {
      readonly connector: 'kafka';
      readonly brokers: readonly string[];
      readonly topic: string;
      readonly groupId: string;
    }
  | { readonly connector: 'cassandra-table'; readonly keyspace: string; readonly table: string };

/** The DSL's method for each connector: `source.cassandraTable(…)` reads a `cassandra-table`. */
export const sourceMethods: Readonly<Record<string, SourceConnector>> = Object.freeze({
  memory: 'memory',
  file: 'file',
  socket: 'socket',
  generator: 'generator',
  kafka: 'kafka',
  cassandraTable: 'cassandra-table',
});

function generatorOptions(o: GeneratorSettings): Record<string, unknown> {
  return {
    seed: o.seed ?? 1,
    count: o.count ?? 10_000,
    keys: o.keys ?? 100,
    intervalMs: o.intervalMs ?? 10,
    startTs: o.startTs ?? Date.UTC(2024, 0, 1),
    lateFraction: o.lateFraction ?? 0,
    duplicateFraction: o.duplicateFraction ?? 0,
    ...(o.ratePerSecond === undefined ? {} : { ratePerSecond: o.ratePerSecond }),
  };
}

/** The options the node keeps: plain data only (in-memory records stay behind a function). */
function optionsOf(spec: SourceCall): Record<string, unknown> {
  switch (spec.connector) {
    case 'memory':
      // The lint cannot count records it does not run; the DSL can.
      return spec.records ? { count: spec.records().length } : {};
    case 'generator':
      return generatorOptions(spec.options);
    case 'file':
      return { path: spec.path, format: spec.format };
    case 'socket':
      return { host: spec.host, port: spec.port };
    case 'kafka':
      return { brokers: [...spec.brokers], topic: spec.topic, groupId: spec.groupId };
    case 'cassandra-table':
      return { keyspace: spec.keyspace, table: spec.table };
  }
}

/**
 * The source node a `source.<method>(…)` call means: its delivery (what a
 * crash can lose), its options, and the fields known before any record is read.
 */
export function sourceNodeOf(
  spec: SourceCall,
  location: SourceLocation | undefined,
  knownFields: readonly string[] = spec.connector === 'generator' ? generatorFields : [],
): SourceNode {
  return SourceNode.create({
    connector: spec.connector,
    delivery: deliveryOf[spec.connector],
    options: Object.freeze(optionsOf(spec)),
    knownFields,
    location,
    ...(spec.connector === 'memory' && spec.records ? { records: spec.records } : {}),
  });
}
