import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pullRequestSignals } from '../../cli/ci-pull-request.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/idemflow.js', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a CLI under test: the tests' own, except the variables
 * by which CI marks a pull request (`check` notes them on stderr, which tests
 * assert), so the suite behaves the same when CI runs it on a pull request.
 */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const name of pullRequestSignals.flatMap((s) => s.variables)) delete env[name];
  return { ...env, ...extra };
}

/** Runs the real CLI in a child process, as a user would, from the repository root. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: 'utf8',
    env: cliEnv(options.env),
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
