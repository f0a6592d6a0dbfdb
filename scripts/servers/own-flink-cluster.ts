import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { flinkJobServer } from './flink-job-server.ts';
import { freePort } from './free-port.ts';
import { paths } from './service.ts';

/**
 * What `scripts/services up flink-cluster` needs to start a cluster of one's own (a test file's, a
 * benchmark's): a cache folder (`cache`) that borrows the shared job server's jars and bind agent, read
 * only (linked, nothing fetched for them), and free REST and RPC ports, so the shared services are never
 * touched. Returns the environment to run `scripts/services` with and the cluster's `--flink-master`.
 */
export async function ownFlinkClusterEnv(cache: string): Promise<{ env: NodeJS.ProcessEnv; master: string }> {
  const shared = paths(flinkJobServer);
  mkdirSync(join(cache, 'flink-job-server'), { recursive: true });
  symlinkSync(shared.lib, join(cache, 'flink-job-server', 'lib'));
  symlinkSync(join(shared.base, 'bind-agent'), join(cache, 'flink-job-server', 'bind-agent'));
  const rest = await freePort();
  const env = {
    IDEMFLOW_CACHE: cache,
    IDEMFLOW_FLINK_REST_PORT: String(rest),
    IDEMFLOW_FLINK_RPC_PORT: String(await freePort()),
  };
  return { env, master: `127.0.0.1:${rest}` };
}
