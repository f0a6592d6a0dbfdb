import type { PipelineNode } from '../compiler/ir/index.ts';
import type { EmbeddedStore } from '../connectors/embedded/store.ts';
import { runTargets } from '../connectors/targets.ts';
import { storeLookup, type RowLookup } from '../runners/local/plan-diff.ts';
import type { PlannedWrite } from '../runtime/sinks/sink-writer.ts';
import type { TargetConnector } from '../runtime/target-connector.ts';

/** What a dry-run compares its writes with: each planned table as its target's connector holds it, the embedded store for the rest. */
export async function dryRunLookup(
  pipeline: PipelineNode,
  plan: readonly PlannedWrite[],
  store: EmbeddedStore,
  connectors: readonly TargetConnector[],
): Promise<RowLookup> {
  const embedded = storeLookup(store);
  const tables = await runTargets(store, connectors).currentRows(pipeline, new Set(plan.map((w) => w.sink)));
  return (sink, key) => {
    const table = tables.get(sink);
    return table ? table(key) : embedded(sink, key);
  };
}
