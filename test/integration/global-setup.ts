import { downAll, upAll } from '../../scripts/servers/main.ts';

/**
 * Starts the real Kafka and Cassandra for the integration tests, unless they
 * already run (then they are left running after, too). On a fresh machine
 * this fetches them from Maven Central first (about a minute).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const started = await upAll();
  return async () => {
    if (started.length > 0 && !process.env.IDEMFLOW_KEEP_SERVICES) await downAll(started);
  };
}
