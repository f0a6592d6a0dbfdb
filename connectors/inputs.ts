import type { SourceNode } from '../compiler/ir/index.ts';
import type { InputConnector } from '../runtime/sources/input-connector.ts';

/**
 * How each stream source's connector is loaded, by `SourceNode.connector`: the one place a new stream input
 * is named, as `openers` in targets.ts is for sink targets. Loaded lazily, so a run loads only the client it
 * reads with (kafkajs's worker, the socket receiver).
 */
const loaders: Readonly<Partial<Record<SourceNode['connector'], () => Promise<InputConnector>>>> = {
  kafka: async () => (await import('./kafka/input-connector.ts')).kafkaInputConnector,
  socket: async () => (await import('./socket/input-connector.ts')).socketInputConnector,
};

/** The connector of a stream source; undefined for a source the runtime reads itself (memory, file, generator, table). */
export async function inputConnectorOf(source: SourceNode): Promise<InputConnector | undefined> {
  return loaders[source.connector]?.();
}
