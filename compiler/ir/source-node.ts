import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

export type SourceConnector = 'memory' | 'file' | 'socket' | 'generator' | 'kafka' | 'cassandra-table';

/**
 * How records reach the pipeline, which decides what a crash can lose and
 * what can be replayed (the seed's "plain receiver / WAL / Direct API"):
 * - `bounded`: a finite input that can be read again from the start (memory,
 *   file, generator, a system-of-record table).
 * - `receiver`: pushed to us (socket); what is in memory at a crash is lost.
 * - `receiver-wal`: a receiver whose records are logged durably on arrival.
 * - `offsets`: pulled by offset (Kafka); replayed from the last committed offsets.
 */
export type Delivery = 'bounded' | 'receiver' | 'receiver-wal' | 'offsets';

/** Each connector's delivery before any `.withWal()`: shared by the DSL and the lint's static reading. */
export const deliveryOf: Readonly<Record<SourceConnector, Delivery>> = Object.freeze({
  memory: 'bounded',
  file: 'bounded',
  generator: 'bounded',
  'cassandra-table': 'bounded',
  socket: 'receiver',
  kafka: 'offsets',
});

/** The fields of the generator's records (dsl's `SensorEvent`): shared by the DSL and the lint's static reading. */
export const generatorFields = Object.freeze(['eventId', 'sensorId', 'ts', 'value'] as const);

export interface WalOptions {
  readonly dir: string;
  /**
   * Write `logged <n>` back to the sender, on connecting and after each fsynced append, so that a sender
   * that reconnects resumes at line n. Only for a sender that reads them: one that closes its connection
   * right after its last line makes the write fail (EPIPE) and the receiver with it.
   */
  readonly acknowledge?: boolean;
}

export interface SourceNode {
  readonly kind: 'Source';
  readonly connector: SourceConnector;
  readonly delivery: Delivery;
  /** Connector settings, plain data only (never secrets: those come from the environment). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Field names known at build time (sample events, or a schema's shape); empty when unknown. */
  readonly knownFields: readonly string[];
  readonly wal?: WalOptions;
  /** Live records for in-memory sources; a function so the serialised IR leaves the data out. */
  readonly records?: () => readonly unknown[];
  readonly location?: SourceLocation;
}

export const SourceNode = Object.freeze({
  is: kindGuard<SourceNode>('Source'),
  create(props: Omit<SourceNode, 'kind'>): SourceNode {
    return Object.freeze({ kind: 'Source', ...props });
  },
  cloneWithWal(node: SourceNode, wal: WalOptions): SourceNode {
    const delivery: Delivery = node.delivery === 'receiver' ? 'receiver-wal' : node.delivery;
    return Object.freeze({ ...node, wal: Object.freeze({ ...wal }), delivery });
  },
});
