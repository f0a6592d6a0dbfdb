import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { flinkJobServer } from '../../scripts/servers/flink-job-server.ts';
import { paths } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';

/**
 * What `scripts/services up flink-cluster` needs to start a test file's own cluster: a cache folder
 * (`cache`) that borrows the shared job server's jars and bind agent, read only (linked, nothing fetched
 * for them), and free REST and RPC ports, so the shared services are never touched. Returns the
 * environment to run `scripts/services` with and the cluster's `--flink-master`.
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

/** `scripts/services up|down flink-cluster` with a cluster's environment (`ownFlinkClusterEnv`): status and output. */
export function flinkClusterServices(env: NodeJS.ProcessEnv) {
  const services = (...args: string[]): Promise<{ status: number | null; output: string }> =>
    new Promise((resolve) => {
      const child = spawn(join(repoRoot, 'scripts/services'), args, { cwd: repoRoot, env: cliEnv(env) });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('close', (status) => resolve({ status, output }));
    });
  return { up: () => services('up', 'flink-cluster'), down: () => services('down', 'flink-cluster') };
}
