import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const pipelines = 'test/fixtures/durability/file-pipelines.ts';
const jsonLines = (from: number, to: number) =>
  Array.from(
    { length: to - from },
    (_, k) =>
      `${JSON.stringify({ eventId: `e${from + k}`, sensorId: `s${(from + k) % 4}`, ts: (from + k) * 1_000, value: 1 })}\n`,
  ).join('');

describe('a torn last line in an embedded table (finding 5)', () => {
  it('a crash mid-append, then a run: the tail is cut, not glued onto; store dump and repair read every row', () => {
    const dir = tempDir();
    const input = join(dir, 'in.jsonl');
    const store = join(dir, 'store');
    const run = [
      'run',
      pipelines,
      '-p',
      'tumbling-updates',
      '--store',
      store,
      '--checkpoint',
      join(dir, 'ckpt'),
      '--batch-size',
      '50',
      '-q',
    ];
    const env = { IDEMFLOW_TEST_INPUT: input };
    writeFileSync(input, jsonLines(0, 200));
    expect(runCli(run, { env }).status).toBe(0);
    // What a kill -9 in the middle of an append leaves: part of a line, never acknowledged.
    for (const table of ['embedded.events', 'embedded.counts'])
      appendFileSync(join(store, `${table}.jsonl`), '{"op":"upsert","k":["e9');

    appendFileSync(input, jsonLines(200, 400));
    const second = runCli(run, { env });
    expect(second.status, second.stderr).toBe(0);
    for (const table of ['embedded.events', 'embedded.counts']) {
      const lines = readFileSync(join(store, `${table}.jsonl`), 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      for (const line of lines) expect(() => JSON.parse(line) as unknown, `${table}: ${line}`).not.toThrow();
    }

    const dump = runCli(['store', 'dump', 'events', '--store', store, '--format', 'json']);
    expect(dump.status, dump.stderr).toBe(0);
    expect((JSON.parse(dump.stdout) as unknown[]).length).toBe(400);
    const repaired = runCli(['repair', pipelines, '-p', 'tumbling-updates', '--store', store], { env });
    expect(repaired.status, repaired.stderr).toBe(0);
    expect(repaired.stdout + repaired.stderr).toMatch(/400 events, 28 rows checked, 0 corrected/);
  }, 240_000);
});
