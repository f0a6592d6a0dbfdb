import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonl, source, tumbling } from 'idemflow';
import { jsonlConnector } from '../../../connectors/jsonl/connector.ts';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { noFaults, runLocal } from '../../../runners/local/index.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { countsByKeyAndWindow, generatorDefaults } from '../../helpers/truth.ts';

const quiet = { log: () => {}, sleep: async () => {} };
const minute = 60_000;
// As test/fixtures/connectors/jsonl-counts.ts: 6,000 events, 15 batches of 400, so the file is rewritten 15 times.
const settings = { seed: 9, count: 6_000, keys: 6, intervalMs: 150, ...generatorDefaults };

const counts = (dir: string) =>
  source
    .generator(settings)
    .withEventTime((e) => e.ts)
    .window(tumbling(minute))
    .groupBy('sensorId')
    .count()
    .sink(
      jsonl.upsert({ dir, table: 'counts', key: { sensor: 'key', minute: 'windowStart' }, values: { n: 'value' } }),
    );

/** The file's rows by the truth's ids, and how many lines it has (each key must be there once). */
function fileCounts(dir: string): { lines: number; rows: Map<string, number> } {
  const lines = readFileSync(join(dir, 'counts.jsonl'), 'utf8').trimEnd().split('\n');
  const rows = lines.map((l) => JSON.parse(l) as { sensor: string; minute: number; n: number });
  return { lines: lines.length, rows: new Map(rows.map((r) => [JSON.stringify([r.sensor, r.minute]), r.n])) };
}

const bytes = (dir: string) => readFileSync(join(dir, 'counts.jsonl'), 'utf8');

describe('a second target behind the connector interface: JSONL files', () => {
  const truth = countsByKeyAndWindow(settings, minute);

  it('a pipeline upserts its aggregates into the file: each (sensor, minute) once, with the true count', async () => {
    const dir = tempDir();
    const result = await runLocal(counts(dir).ir, {
      store: new EmbeddedStore(tempDir()),
      targets: [jsonlConnector()],
      batchSize: 400,
      ...quiet,
    });
    expect(result.batches).toBe(15);
    expect(result.rowsWritten['jsonl.counts']).toBe(truth.size); // in event-time order, each minute's row is written once
    const { lines, rows } = fileCounts(dir);
    expect(lines).toBe(truth.size);
    expect(rows).toEqual(truth);
  });

  it('a replay of the same input, and one under lost acknowledgements and failed writes, leaves the same bytes', async () => {
    const dir = tempDir();
    const run = (faults = noFaults, seed = 1) =>
      runLocal(counts(dir).ir, {
        store: new EmbeddedStore(tempDir()),
        targets: [jsonlConnector()],
        batchSize: 400,
        faults,
        seed,
        ...quiet,
      });
    await run();
    const first = bytes(dir);
    await run(); // from the start again, over the file the first run left
    expect(bytes(dir)).toBe(first);
    const faulty = await run({ ...noFaults, lostAck: 0.3, writeFail: 0.3 }, 5);
    expect(faulty.injected.lostAck + faulty.injected.writeFail).toBeGreaterThan(0);
    expect(bytes(dir)).toBe(first);
    expect(fileCounts(dir).rows).toEqual(truth);
  });

  it('through the CLI, killed twice mid-run and resumed, the file equals an uncrashed run', () => {
    const clean = tempDir();
    const crashed = tempDir();
    const ckpt = join(tempDir(), 'ckpt');
    const args = (dir: string) => [
      'run',
      'test/fixtures/connectors/jsonl-counts.ts',
      '--store',
      join(dir, 'store'),
      '-q',
    ];
    const ok = runCli([...args(clean), '--batch-size', '400'], { env: { IDEMFLOW_TEST_JSONL: clean } });
    expect(ok.status, ok.stderr).toBe(0);
    const codes: (number | null)[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const r = runCli([...args(crashed), '--batch-size', '400', '--checkpoint', ckpt, '--faults', 'crash-at=4+9'], {
        env: { IDEMFLOW_TEST_JSONL: crashed },
      });
      codes.push(r.status);
      if (r.status === 0) break;
    }
    expect(codes).toEqual([137, 137, 0]);
    expect(bytes(crashed)).toBe(bytes(clean));
    expect(fileCounts(crashed).rows).toEqual(truth);
  }, 180_000);

  it('a damaged file is refused naming the file and line; a jsonl sink without its connector names what is missing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'counts.jsonl'), '{"sensor":"s1","minute":0,"n":1}\n{"sensor":\n');
    const store = new EmbeddedStore(tempDir());
    await expect(
      runLocal(counts(dir).ir, { store, targets: [jsonlConnector()], maxReplays: 0, ...quiet }),
    ).rejects.toThrow(/counts\.jsonl:2: not a JSON object/);
    await expect(runLocal(counts(tempDir()).ir, { store, ...quiet })).rejects.toThrow(
      /counts: no jsonl connector was opened for this run/,
    );
  });

  it('jsonl.upsert validates its folder and table when called', () => {
    const options = { table: 'counts', key: { k: 'key' }, values: { n: 'value' } };
    expect(() => jsonl.upsert({ ...options, dir: '' })).toThrow(/jsonl\.upsert.*dir/);
    expect(() => jsonl.upsert({ ...options, dir: 'out', table: '../x' })).toThrow(/jsonl\.upsert.*table/);
  });
});
