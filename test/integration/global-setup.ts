import { downAll, upAll } from '../../scripts/servers/main.ts';
import { cassandraClient } from './servers.ts';
import { dropStaleTables, scratchKeyspaces } from './stale-tables.ts';

/** Tables older than this are left over from earlier runs; no test runs this long. */
const staleAfterMs = 2 * 60 * 60 * 1000;

/**
 * Starts the real Kafka and Cassandra for the integration tests, unless they
 * already run (then they are left running after, too). On a fresh machine
 * this fetches them from Maven Central first (about a minute). Then drops the
 * tables earlier runs left behind, which would otherwise fill Cassandra's heap.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started = await upAll();
  const client = await cassandraClient();
  try {
    const dropped = await dropStaleTables(client, scratchKeyspaces, staleAfterMs);
    if (dropped.length > 0) console.log(`dropped ${dropped.length} tables left by runs over 2 hours ago`);
  } finally {
    await client.shutdown();
  }
  return async () => {
    if (started.length > 0 && !process.env.IDEMFLOW_KEEP_SERVICES) await downAll(started);
  };
}
