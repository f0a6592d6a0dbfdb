import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repoRoot, runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const paced = 'test/fixtures/durability/paced.ts';
const until = async (what: string, done: () => boolean, ms = 120_000) => {
  for (const end = Date.now() + ms; !done(); await new Promise((r) => setTimeout(r, 100)))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
};

describe('two processes on one checkpoint folder or store', () => {
  it('the second is refused naming the holder; after a kill -9 of the holder the next run takes over and ends exact', async () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    const checkpoint = join(dir, 'ckpt');
    const args = (s: string, c: string) => ['run', paced, '--store', s, '--checkpoint', c, '--batch-size', '500', '-q'];
    // The holder: 30,000 readings at 300 a second would take 100 s.
    const holder = spawn(process.execPath, [join(repoRoot, 'bin/idemflow.js'), ...args(store, checkpoint)], {
      cwd: repoRoot,
      env: { ...process.env, IDEMFLOW_TEST_RATE: '300' },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
    try {
      await until('the first checkpoint', () => existsSync(join(checkpoint, 'checkpoint.json')));
      const holderNamed = new RegExp(
        `is in use by pid ${holder.pid} \\(idemflow run test/fixtures/durability/paced\\.ts .*\\) on .* since \\d{4}-\\d\\d-\\d\\dT`,
      );
      const both = runCli(args(store, checkpoint));
      expect(both.status).toBe(2);
      expect(both.stderr).toMatch(new RegExp(`^idemflow: the checkpoint folder ${checkpoint} ${holderNamed.source}`));
      expect(both.stderr).not.toMatch(/^\s+at /m);
      const sameStore = runCli(args(store, join(dir, 'other-ckpt')));
      expect(sameStore.status).toBe(2);
      expect(sameStore.stderr).toMatch(
        new RegExp(`^idemflow: the embedded store ${store} ${holderNamed.source}.*lose each other's rows`),
      );
      expect(existsSync(join(dir, 'other-ckpt', 'idemflow.lock'))).toBe(false);
      const lock = JSON.parse(readFileSync(join(checkpoint, 'idemflow.lock'), 'utf8')) as {
        pid: number;
        command: string;
      };
      expect(lock.pid).toBe(holder.pid);
      expect(lock.command).toMatch(/^idemflow run test\/fixtures\/durability\/paced\.ts/);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    // The lock files stay behind the killed holder; its pid is gone, so the next run takes them over.
    expect(existsSync(join(checkpoint, 'idemflow.lock'))).toBe(true);
    const next = runCli(args(store, checkpoint));
    expect(next.status, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/resuming paced from the checkpoint after batch \d+/);
    expect(existsSync(join(checkpoint, 'idemflow.lock'))).toBe(false);
    expect(existsSync(join(store, 'idemflow.lock'))).toBe(false);
    const counts = new EmbeddedStore(store).table({ table: 'counts' }).rows();
    expect(counts.reduce((a, r) => a + Number(r.columns.n), 0)).toBe(30_000);
  }, 300_000);
});
