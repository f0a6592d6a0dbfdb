/** The processes a service runs: started detached with a pid file and a log, found again by the pid file, stopped by pid. */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid a pid file names, when that process is alive. */
export function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const n = Number(readFileSync(pidFile, 'utf8'));
  return Number.isInteger(n) && n > 0 && pidAlive(n) ? n : undefined;
}

/** Starts `java args` detached (it outlives `scripts/services`), output appended to `logFile`; writes its pid. */
export function startJava(args: readonly string[], cwd: string, logFile: string, pidFile: string): number {
  const out = openSync(logFile, 'a');
  const child = spawn('java', args, { cwd, detached: true, stdio: ['ignore', out, out] });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  return child.pid!;
}

/** SIGTERM, then SIGKILL after `graceMs`; removes the pid file. */
export async function stopPid(pid: number, pidFile: string, graceMs = 30_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
}
