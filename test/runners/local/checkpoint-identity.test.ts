import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedded, source } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runLocal } from '../../../runners/local/index.ts';
import { SensorReading } from '../../../pipelines/schemas.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** JSON lines of readings `from`..`to` (about 90 bytes each: 3,000 lines pass the 64 KiB head that identifies a file). */
const lines = (from: number, to: number, tag = 'a') =>
  Array.from(
    { length: to - from },
    (_, i) =>
      `${JSON.stringify({ eventId: `${tag}-${from + i}`, sensorId: `s${(from + i) % 7}`, ts: 1_704_067_200_000 + (from + i) * 1_000, value: 1 })}\n`,
  ).join('');

const filePipeline = (path: string) =>
  source
    .file(path, { format: 'jsonl' })
    .parse(SensorReading)
    .archive(embedded.systemOfRecord({ table: 'events', id: 'eventId' }))
    .groupBy('sensorId')
    .count()
    .sink(embedded.upsert({ table: 'counts', key: { s: 'key' }, values: { n: 'value' } }))
    .named('file-counts');

const generatorPipeline = (options: { seed?: number; count: number }) =>
  source
    .generator({ ...options, keys: 5 })
    .groupBy('sensorId')
    .count()
    .sink(embedded.upsert({ table: 'g', key: { s: 'key' }, values: { n: 'value' } }))
    .named('gen-counts');

const run = (ir: Parameters<typeof runLocal>[0], store: EmbeddedStore, checkpointDir: string) =>
  runLocal(ir, { store, checkpointDir, batchSize: 1_000, log: () => {} });

/** A file of 3,000 readings, run once with a checkpoint. */
async function firstRunOfAFile() {
  const dir = tempDir();
  const path = join(dir, 'in.jsonl');
  writeFileSync(path, lines(0, 3_000));
  const store = new EmbeddedStore(join(dir, 'store'));
  const ckpt = join(dir, 'ckpt');
  await run(filePipeline(path).ir, store, ckpt);
  return { path, store, ckpt };
}

describe('a checkpoint knows what it read', () => {
  it('refuses another file, naming both and how to start fresh', async () => {
    const dir = tempDir();
    const [a, b] = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
    writeFileSync(a, lines(0, 3_000));
    writeFileSync(b, lines(0, 3_000, 'b'));
    const store = new EmbeddedStore(join(dir, 'store'));
    const ckpt = join(dir, 'ckpt');
    expect((await run(filePipeline(a).ir, store, ckpt)).recordsIn).toBe(3_000);
    await expect(run(filePipeline(b).ir, store, ckpt)).rejects.toThrow(
      `checkpoint ${ckpt} was written for another input (path ${a} ≠ ${b}): it read file ${a} (${readFileSync(a).length} bytes); this run reads file ${b} (${readFileSync(b).length} bytes). Use another --checkpoint folder, or remove ${ckpt} to start fresh`,
    );
  });

  it('resumes a file that was appended to, reading only the new lines, across more than one batch', async () => {
    const { path, store, ckpt } = await firstRunOfAFile();
    appendFileSync(path, lines(3_000, 5_500));
    expect((await run(filePipeline(path).ir, store, ckpt)).recordsIn).toBe(2_500);
    expect(store.table({ table: 'events' }).size).toBe(5_500);
    expect(
      store
        .table({ table: 'counts' })
        .rows()
        .reduce((a, r) => a + Number(r.columns.n), 0),
    ).toBe(5_500);
    // Appended to again, and still the same input.
    appendFileSync(path, lines(5_500, 5_600));
    expect((await run(filePipeline(path).ir, store, ckpt)).recordsIn).toBe(100);
  });

  it('refuses the same path rewritten (other content, even if longer) or cut short', async () => {
    const { path, store, ckpt } = await firstRunOfAFile();
    // Disguised: the same lines but one, then more: longer, same path, same first line.
    writeFileSync(path, lines(0, 2_999) + lines(2_999, 3_000, 'x') + lines(3_000, 4_000));
    await expect(run(filePipeline(path).ir, store, ckpt)).rejects.toThrow(
      /another input \(its first \d+ bytes changed: the file was rewritten, not appended to\)/,
    );
    writeFileSync(path, lines(0, 3_000));
    truncateSync(path, 1_000);
    await expect(run(filePipeline(path).ir, store, ckpt)).rejects.toThrow(
      /another input \(bytes shrank from \d+ to 1000\)/,
    );
  });

  it('refuses other generator settings; a larger count resumes and reads only the extra events', async () => {
    const dir = tempDir();
    const store = new EmbeddedStore(join(dir, 'store'));
    const ckpt = join(dir, 'ckpt');
    await run(generatorPipeline({ count: 2_500 }).ir, store, ckpt);
    await expect(run(generatorPipeline({ seed: 9, count: 2_500 }).ir, store, ckpt)).rejects.toThrow(
      /another input \(seed 1 ≠ 9\): it read generator seed=1 keys=5 .* count=2500; this run reads generator seed=9/,
    );
    await expect(run(generatorPipeline({ count: 2_000 }).ir, store, ckpt)).rejects.toThrow(
      /another input \(count shrank from 2500 to 2000\)/,
    );
    expect((await run(generatorPipeline({ count: 4_000 }).ir, store, ckpt)).recordsIn).toBe(1_500);
    expect(
      store
        .table({ table: 'g' })
        .rows()
        .reduce((a, r) => a + Number(r.columns.n), 0),
    ).toBe(4_000);
  });

  it('a checkpoint written before identities were recorded still resumes', async () => {
    const dir = tempDir();
    const store = new EmbeddedStore(join(dir, 'store'));
    const ckpt = join(dir, 'ckpt');
    await run(generatorPipeline({ count: 2_000 }).ir, store, ckpt);
    const file = join(ckpt, 'checkpoint.json');
    const { source: _recorded, ...older } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(older));
    expect((await run(generatorPipeline({ count: 3_000 }).ir, store, ckpt)).recordsIn).toBe(1_000);
  });

  it(
    'idemflow run with another --checkpoint input: exit 2 and one line naming both inputs (it printed "0 records" and exited 0)',
    { timeout: 120_000 },
    () => {
      const dir = tempDir();
      const [a, b] = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
      writeFileSync(a, lines(0, 1_500));
      writeFileSync(b, lines(0, 1_200, 'b'));
      const args = [
        'run',
        'test/fixtures/run/file-input.ts',
        '--store',
        join(dir, 'store'),
        '--checkpoint',
        join(dir, 'ckpt'),
        '-q',
      ];
      expect(runCli(args, { env: { IDEMFLOW_TEST_INPUT: a } }).status).toBe(0);
      const other = runCli(args, { env: { IDEMFLOW_TEST_INPUT: b } });
      expect(other.status).toBe(2);
      expect(other.stdout).toBe('');
      expect(other.stderr.trim()).toMatch(
        new RegExp(
          `^idemflow: checkpoint .*ckpt was written for another input \\(path .*a\\.jsonl ≠ .*b\\.jsonl\\): it read file .*a\\.jsonl \\(\\d+ bytes\\); this run reads file .*b\\.jsonl \\(\\d+ bytes\\)\\. Use another --checkpoint folder, or remove .*ckpt to start fresh$`,
        ),
      );
    },
  );
});
