/**
 * `idemflow worker` stops on SIGTERM even while it holds a run (its own
 * Cassandra connection, opened for a job whose SDK workers Flink never
 * stopped): a worker that lingered after its signal was found by the
 * external-workers test, which left its workers running.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWorkers } from '../../runners/beam/external-environment.ts';
import { freePort } from '../helpers/free-port.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';
import { contactPoint, runId } from './servers.ts';

const id = runId();
const file = join(repoRoot, `test/fixtures/worker-stop-${id}.tmp.ts`);
writeFileSync(
  file,
  `import { cassandra, source } from 'idemflow';
export default source.generator({ seed: 1, count: 10, keys: 2, intervalMs: 100 })
  .sink(cassandra.upsert({ keyspace: 'worker_stop_${id}', table: 'raw', key: { id: 'eventId' }, values: { v: 'value' } }))
  .named('worker-stop');
`,
);
afterAll(() => rmSync(file, { force: true }));

describe('idemflow worker', () => {
  it('exits 0 on SIGTERM while it holds a prepared run with a Cassandra connection', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/idemflow.js', 'worker', '--port', String(port)], {
      cwd: repoRoot,
      env: cliEnv({ IDEMFLOW_CASSANDRA: contactPoint }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      const onData = (c: Buffer) => {
        output += c.toString();
        if (output.includes('listening on')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    try {
      await checkWorkers([`127.0.0.1:${port}`], {
        runId: `stop-${id}`,
        pipeline: 'worker-stop',
        module: file,
        exportName: 'default',
        sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
        cassandra: true,
      });
      expect(output).toContain('worker-stop: rebuilt run');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
      expect(code, output).toBe(0);
      expect(output).toContain('idemflow worker: stopped');
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
