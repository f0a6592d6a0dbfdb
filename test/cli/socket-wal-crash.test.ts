import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { lineSender } from '../helpers/line-sender.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { generatorDefaults, sum, tableCounts } from '../helpers/truth.ts';

const settings = { seed: 4, count: 5_000, keys: 5, intervalMs: 1_000, ...generatorDefaults };
const lines = Array.from({ length: settings.count }, (_, i) => JSON.stringify(generatedEvent(settings, i).event));

/** The CLI in a child process, asynchronously: the test's own line sender must keep serving meanwhile. */
function runCliAsync(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/idemflow.js'), ...args], {
    cwd: repoRoot,
    env: cliEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/**
 * A real process dying in the middle of a WAL append (crash-mid-append exits
 * with 137 from the receiver, half the append written and not fsynced): the
 * sender, told on reconnecting how many lines the log holds, sends the rest
 * again; nothing is lost and nothing counted twice.
 */
describe('socket + WAL through the CLI, a process dying mid-append', () => {
  it('exits 137; the run resumed from the checkpoint and the WAL counts every line once', async () => {
    const dir = tempDir();
    const sender = await lineSender(lines, { resume: true, burst: 200, pauseMs: 2 });
    const env = { IDEMFLOW_TEST_PORT: String(sender.port), IDEMFLOW_TEST_WAL: join(dir, 'wal') };
    const args = ['run', 'test/fixtures/durability/socket-wal.ts', '--store', join(dir, 'store')];
    const common = [...args, '--checkpoint', join(dir, 'ckpt'), '--batch-size', '200', '-q'];
    try {
      const crashed = await runCliAsync([...common, '--faults', 'crash-mid-append=4'], env);
      expect(crashed.code, crashed.stderr).toBe(137);
      expect(crashed.stderr).toMatch(/injected crash in the middle of WAL append 4/);
      const resumed = await runCliAsync(common, env);
      expect(resumed.code, resumed.stderr).toBe(0);
    } finally {
      await sender.close();
    }
    const store = new EmbeddedStore(join(dir, 'store'));
    expect(sum(tableCounts(store, 'totals', 'n'))).toBe(settings.count);
    expect(store.table({ table: 'events' }).rows().length).toBe(settings.count);
    expect(sender.connections()).toBe(2);
  }, 180_000);
});
