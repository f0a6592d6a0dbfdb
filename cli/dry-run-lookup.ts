import type { Client } from 'cassandra-driver';
import type { PipelineNode } from '../compiler/ir/index.ts';
import { cassandraCurrentRows } from '../connectors/cassandra/current-rows.ts';
import type { EmbeddedStore } from '../connectors/embedded/store.ts';
import { storeLookup, type RowLookup } from '../runners/local/plan-diff.ts';
import type { PlannedWrite } from '../runtime/sinks/sink-writer.ts';

/** What a dry-run compares its writes with: Cassandra's tables when one is configured, the embedded store for the rest. */
export async function dryRunLookup(
  pipeline: PipelineNode,
  plan: readonly PlannedWrite[],
  store: EmbeddedStore,
  cassandra: Client | undefined,
): Promise<RowLookup> {
  const embedded = storeLookup(store);
  if (!cassandra) return embedded;
  const tables = await cassandraCurrentRows(cassandra, pipeline, new Set(plan.map((w) => w.sink)));
  return (sink, key) => {
    const table = tables.get(sink);
    return table ? table(key) : embedded(sink, key);
  };
}
