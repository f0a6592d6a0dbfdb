import type { PipelineNode } from '../compiler/ir/index.ts';
import { Targets, type TargetConnector } from '../runtime/target-connector.ts';
import { embeddedConnector } from './embedded/connector.ts';
import type { EmbeddedStore } from './embedded/store.ts';

/** What the CLI knows of where targets are: Cassandra's contact points (`--cassandra`, else the environment). */
export interface TargetSettings {
  readonly cassandra?: string;
}

/**
 * How each target's connector is opened, by `SinkNode.target`: the one place a new table target is named.
 * Loaded lazily, so a run loads only the drivers it opens. An opener returns nothing when its target is not
 * configured (Cassandra without contact points: its sinks then write to the embedded store).
 */
const openers: Readonly<Record<string, (settings: TargetSettings) => Promise<TargetConnector | undefined>>> = {
  cassandra: async (settings) => (await import('./cassandra/connector.ts')).openCassandra(settings.cassandra),
  jsonl: async () => (await import('./jsonl/connector.ts')).jsonlConnector(),
};

/** A run's targets: the embedded store's connector and the others given (built in this one place for every runner). */
export function runTargets(store: EmbeddedStore, others: readonly TargetConnector[] = []): Targets {
  return new Targets(embeddedConnector(store), others);
}

/**
 * Opens the connectors of every configured target, Cassandra's whenever it is configured (a run whose
 * pipeline writes no Cassandra table still checks it can reach it); with `createSchema`, each creates the
 * pipeline's tables if missing. On a failure, what was opened is closed again.
 */
export async function openTargets(
  pipeline: PipelineNode | undefined,
  settings: TargetSettings & { readonly createSchema: boolean; readonly log: (line: string) => void },
): Promise<TargetConnector[]> {
  const opened: TargetConnector[] = [];
  try {
    for (const open of Object.values(openers)) {
      const connector = await open(settings);
      if (!connector) continue;
      opened.push(connector);
      const done = settings.createSchema && pipeline ? await connector.ensureSchema(pipeline) : undefined;
      if (done) settings.log(done);
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((c) => c.close().catch(() => {})));
    throw error;
  }
}
