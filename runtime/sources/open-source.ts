import type { SourceNode } from '../../compiler/ir/index.ts';
import type { Targets } from '../target-connector.ts';
import { fileSource } from './file-source.ts';
import { generatorSource, type GeneratorSettings } from './generator-source.ts';
import { memorySource } from './memory-source.ts';
import type { LiveInput, SourceReader } from './source-reader.ts';

export interface SourceContext {
  /** Where `source.cassandraTable` reads its system of record: the cluster when configured, else the embedded store. */
  readonly targets: Targets;
  /** The run's connection for a stream source (Kafka, socket): it outlives readers, which are reopened on replay. */
  readonly live?: LiveInput;
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
    case 'cassandra-table':
      return context.targets.tableSource({ keyspace: String(o.keyspace), table: String(o.table) }, from);
    case 'socket':
    case 'kafka':
      if (!context.live) throw new Error(`a ${node.connector} source needs the run's connection`);
      return context.live.reader(from);
  }
}
