import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-cli.ts';
import { brokers } from './servers.ts';

export interface CliChild {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `idemflow <args>` as a child process (to be killed with SIGKILL), with a test run's id and brokers in its environment. */
export function spawnCli(args: readonly string[], id: string): CliChild {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/idemflow.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, IT_RUN_ID: id, IT_BROKERS: brokers.join(','), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** The batch of the last checkpoint in `dir`, 0 when there is none (or it is being renamed). */
export function checkpointBatch(dir: string): number {
  const file = join(dir, 'checkpoint.json');
  if (!existsSync(file)) return 0;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { batch: number }).batch;
  } catch {
    return 0; // mid-rename: try again
  }
}
