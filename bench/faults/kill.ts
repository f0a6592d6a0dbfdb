import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KillChildConfig } from './kill-child.ts';
import { crashExitCode } from '../../runners/local/engine.ts';

const childScript = fileURLToPath(new URL('./kill-child.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
// The 'idemflow-source' condition: strategy pipelines import 'idemflow', which must be these sources, not a dist/ that may be stale or absent.
const nodeArgs = ['--conditions=idemflow-source', '--import', tsx];

/** Where a kill strikes: this long after the child reported this batch checkpointed. */
export interface KillPoint {
  readonly afterBatch: number;
  readonly delayMs: number;
}

/**
 * Runs the schedule's first stretch in a child process and kills it with
 * SIGKILL at the kill point. Resolves with how it died: `signal` (the kill
 * struck), `exit` (an injected crash point exited it first), or undefined (a
 * short input ended first). A delay of 0 lands between the checkpoint and the
 * offset commit that follows it; longer ones land mid-batch.
 */
export function runUntilKilled(config: KillChildConfig, kill: KillPoint): Promise<'signal' | 'exit' | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, childScript, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killed = false;
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const batch = (JSON.parse(line) as { batch: number }).batch;
        if (batch >= kill.afterBatch && !killed) {
          killed = true;
          setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
    child.on('close', (code, signal) => {
      // Killed, or exited at an injected crash point (as the CLI does: 137, nothing flushed).
      if (signal === 'SIGKILL') resolve('signal');
      else if (code === crashExitCode) resolve('exit');
      else if (code === 0) resolve(undefined);
      else reject(new Error(`the campaign's child run failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}
