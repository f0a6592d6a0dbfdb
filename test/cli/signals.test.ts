import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync, writeFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A slow, paced pipeline (2,000 events/s) so that a signal arrives mid-run.
const file = join(repoRoot, 'test/fixtures/paced.tmp.ts');
writeFileSync(
  file,
  `import { embedded, source } from 'idemflow';
export default source.generator({ count: 6_000, keys: 7, ratePerSecond: 2_000 })
  .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
  .groupBy('sensorId').count()
  .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }))
  .named('paced');
`,
);
// A sink that takes 5 s a write, and says when its first write began: a first signal waits for it, a second must not.
const slowFile = join(repoRoot, 'test/fixtures/slow-sink.tmp.ts');
// Not a tempDir(): those are removed after each test, and this outlives the first.
const writing = join(tmpdir(), `idemflow-slow-sink-${process.pid}-${Date.now()}`);
writeFileSync(
  slowFile,
  `import { writeFileSync } from 'node:fs';
import { sink, source } from 'idemflow';
export default source.generator({ count: 1_000, keys: 3 }).groupBy('sensorId').count()
  .sink(sink({ write: () => { writeFileSync(${JSON.stringify(writing)}, ''); return new Promise<void>((r) => setTimeout(r, 5_000)); }, idempotent: true }))
  .named('slow');
`,
);

/** Waits until `ready()` holds: signals sent before the CLI has started (a slow machine) would test nothing. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
afterAll(() => {
  rmSync(file, { force: true });
  rmSync(slowFile, { force: true });
  rmSync(writing, { force: true });
});

function run(store: string, checkpoint: string) {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/idemflow.js'),
      'run',
      file,
      '--store',
      store,
      '--checkpoint',
      checkpoint,
      '--batch-size',
      '200',
      '-q',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
  return { child, exited };
}

describe('signals', () => {
  it('SIGTERM finishes the batch, checkpoints and exits 0; the restart resumes and loses nothing', async () => {
    const store = join(tempDir(), 'store');
    const checkpoint = tempDir();
    const first = run(store, checkpoint);
    // Mid-run: the first batches are stored, most of the 3 s of paced input is still to come.
    await until(
      () => existsSync(store) && new EmbeddedStore(store).table({ table: 'events' }).size > 0,
      'the run has stored its first batch',
    );
    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    expect(stopped.code).toBe(0);
    expect(stopped.out).toMatch(/SIGTERM: finishing the batch in flight and writing a checkpoint/);
    expect(stopped.out).toMatch(/stopped by signal after batch \d+; run again with the same --checkpoint to resume/);
    const partial = new EmbeddedStore(store).table({ table: 'events' }).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(6_000);

    const second = await run(store, checkpoint).exited;
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/resuming paced from the checkpoint/);
    const s = new EmbeddedStore(store);
    expect(s.table({ table: 'events' }).size).toBe(6_000);
    expect(
      s
        .table({ table: 'counts' })
        .rows()
        .reduce((a, r) => a + Number(r.columns.n), 0),
    ).toBe(6_000);
  }, 90_000);

  it('a second signal exits at once (130), without waiting for the batch in flight', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'bin/idemflow.js'), 'run', slowFile, '--store', join(tempDir(), 'store'), '-q'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => existsSync(writing), 'the first write is in flight');
    child.kill('SIGINT');
    const deadline = Date.now() + 5_000;
    while (!err.includes('SIGINT: finishing') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - started).toBeLessThan(2_000);
  }, 60_000);
});
