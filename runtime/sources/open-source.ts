import type { Client } from 'cassandra-driver';
import type { SourceNode } from '../../compiler/ir/index.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import type { KafkaInput, KafkaPosition } from '../../connectors/kafka/kafka-input.ts';
import { cassandraTableSource, embeddedTableSource } from './cassandra-table-source.ts';
import { fileSource } from './file-source.ts';
import { generatorSource, type GeneratorSettings } from './generator-source.ts';
import { memorySource } from './memory-source.ts';
import type { SocketReceiver } from './socket-receiver.ts';
import { receiverSource, walSource } from './socket-source.ts';
import type { SourceReader } from './source-reader.ts';

export interface SourceContext {
  /** Where system-of-record tables are read from when no Cassandra is configured. */
  readonly store: EmbeddedStore;
  /** The run's connection for receiver sources: it outlives readers, which are reopened on replay. */
  readonly receiver?: SocketReceiver;
  /** The run's Kafka consumer, likewise. */
  readonly kafka?: KafkaInput;
  /** A Cassandra session: `source.cassandraTable` reads the cluster's system of record instead of the embedded store's. */
  readonly cassandra?: Client;
}

/** Opens a pipeline's source at a checkpointed position (undefined: from the start). */
export function openSource(node: SourceNode, from: unknown, context: SourceContext): SourceReader {
  const o = node.options;
  switch (node.connector) {
    case 'memory':
      return memorySource(node.records?.() ?? [], from);
    case 'file':
      return fileSource(String(o.path), o.format as 'jsonl' | 'csv', from);
    case 'generator':
      return generatorSource(o as unknown as GeneratorSettings, from);
    case 'cassandra-table': {
      if (context.cassandra) return cassandraTableSource(context.cassandra, String(o.keyspace), String(o.table), from);
      // Without a Cassandra, the embedded store stands in for it: its system-of-record rows hold the archived events.
      return embeddedTableSource(context.store.table({ keyspace: String(o.keyspace), table: String(o.table) }), from);
    }
    case 'socket': {
      if (!context.receiver) throw new Error("a socket source needs the run's receiver");
      return node.wal ? walSource(context.receiver, node.wal.dir, from) : receiverSource(context.receiver, from);
    }
    case 'kafka':
      if (!context.kafka) throw new Error("a Kafka source needs the run's consumer");
      return context.kafka.reader(from as KafkaPosition | undefined);
  }
}
