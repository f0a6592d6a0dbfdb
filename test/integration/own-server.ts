import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free loopback port: the kernel picks one, we release it for the server (a race we accept in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Functions, not methods: callers pass them on (`waitFor(…, server.exited)`). */
export interface WatchedProcess {
  /** True once the process has exited. */
  readonly exited: () => boolean;
  /** Kills it (and its watchdog) at once; harmless when already gone. */
  readonly stop: () => void;
}

/**
 * Starts a server of a test's own (`command args`, output appended to `log`). A shell watchdog kills it
 * when this process dies, however it dies (even kill -9), so no test leaves a server behind.
 */
export function startWatched(command: string, args: readonly string[], log: string): WatchedProcess {
  const out = openSync(log, 'a');
  const watchdog = `"$@" & j=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $j 2>/dev/null; do sleep 1; done; kill -9 $j 2>/dev/null`;
  const child = spawn('bash', ['-c', watchdog, 'watchdog', command, ...args], {
    stdio: ['ignore', out, out],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stop);
  return { exited: () => child.exitCode !== null, stop };
}
