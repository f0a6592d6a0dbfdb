import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';

/** A test file's own cluster on free ports (scripts/servers/own-flink-cluster.ts). */
export { ownFlinkClusterEnv } from '../../scripts/servers/own-flink-cluster.ts';

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
