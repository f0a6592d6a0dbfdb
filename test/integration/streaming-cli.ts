import { spawn, type ChildProcess } from 'node:child_process';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';

/** A long-running `idemflow` child (a streaming run, a worker) whose output is read while it runs. */
export interface Running {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

/**
 * `idemflow <args>` started, its stdout and stderr gathered in `output`. `detached`: in a process group of its
 * own, as a shell runs a command in the foreground (a terminal's Ctrl-C is SIGINT to that whole group).
 */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, detached = false): Running {
  const child = spawn(process.execPath, ['bin/idemflow.js', ...args], {
    cwd: repoRoot,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  const running: Running = { child, output: '', exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  child.stdout.on('data', (c: Buffer) => (running.output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (running.output += c.toString()));
  return running;
}

/** Polls (every `everyMs`) until `check` holds, or fails with what it saw last. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  check: (v: T) => boolean,
  ms = 240_000,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s; last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
    last = await read();
  }
  return last;
}
