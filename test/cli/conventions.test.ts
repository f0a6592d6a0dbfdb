import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { commands } from '../../cli/commands/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { repoRoot, runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface JsonReport {
  pipelines: { name: string }[];
  unloaded: { file: string; message: string }[];
}

// Each case starts the CLI; on a shared, loaded machine one start can take 15 s.
describe('CLI conventions', { timeout: 120_000 }, () => {
  it('--version prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it("commander's own errors use the one style, idemflow: …, and exit 2", () => {
    const unknownOption = runCli(['run', 'x.ts', '--bogus']);
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr.split('\n')[0]).toBe("idemflow: unknown option '--bogus'");
    const unknownCommand = runCli(['nope']);
    expect(unknownCommand.status).toBe(2);
    expect(unknownCommand.stderr.split('\n')[0]).toBe("idemflow: unknown command 'nope'");
    const missing = runCli(['store', 'dump']);
    expect(missing.stderr.split('\n')[0]).toBe("idemflow: missing required argument 'table'");
  });

  it('--help lists every command with its summary', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
  });

  it('store dump: a header, keys and time columns in ISO 8601, raw values in JSON; an empty table says so', () => {
    const dir = join(tempDir(), 'store');
    const store = new EmbeddedStore(dir);
    const minute = Date.UTC(2024, 0, 1, 0, 1);
    store.table({ table: 'counts' }).write([
      { op: 'upsert', k: ['sensor-1', minute], v: { n: 3, updated_at: minute + 5_000 } },
      { op: 'upsert', k: ['sensor-2', minute], v: { n: 1_704_067_260_000 } },
    ]);
    // A table whose log holds no rows (created by a schema step, say).
    writeFileSync(join(dir, 'embedded.nothing.jsonl'), '');
    const dump = runCli(['store', 'dump', 'counts', '--store', dir]);
    expect(dump.status).toBe(0);
    expect(dump.stdout.split('\n').map((l) => l.trimEnd())).toEqual([
      'key[0]    key[1]                    n              updated_at',
      'sensor-1  2024-01-01T00:01:00.000Z  3              2024-01-01T00:01:05.000Z',
      // A count that happens to look like a time stays a number: only keys and time-named columns are times.
      'sensor-2  2024-01-01T00:01:00.000Z  1704067260000',
      '(2 rows; times in UTC, ISO 8601)',
      '',
    ]);
    expect(JSON.parse(runCli(['store', 'dump', 'counts', '--store', dir, '--format', 'json']).stdout)).toEqual([
      { key: ['sensor-1', minute], n: 3, updated_at: minute + 5_000 },
      { key: ['sensor-2', minute], n: 1_704_067_260_000 },
    ]);
    const empty = runCli(['store', 'dump', 'nothing', '--store', dir]);
    expect(empty.status).toBe(0);
    expect(empty.stdout).toBe('embedded.nothing is empty (0 rows)\n');
  });

  it('-q hides only the progress: the summary still prints, and an empty input says so', () => {
    const dir = tempDir();
    const input = join(dir, 'empty.jsonl');
    writeFileSync(input, '');
    const r = runCli(['run', 'test/fixtures/run/file-input.ts', '--store', join(dir, 'store'), '-q'], {
      env: { IDEMFLOW_TEST_INPUT: input },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^file-input: 0 records in \d+ batch/);
    expect(r.stdout).toContain('no records were read: the input is empty');
  });

  it('check goes on past a helper module that exports no pipeline (an unquoted glob), names it, exits 2, and keeps the JSON whole', () => {
    const files = ['aggregates.ts', 'shared.ts', 'counters.ts'].map((f) => `pipelines/strategies/${f}`);
    const r = runCli(['check', ...files, '--format', 'json']);
    expect(r.status).toBe(2);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.pipelines.map((p) => p.name)).toEqual(['aggregates', 'counters']);
    expect(report.unloaded).toEqual([
      { file: 'pipelines/strategies/shared.ts', message: expect.stringMatching(/^exports no pipeline/) as unknown },
    ]);
    expect(r.stderr.trim()).toMatch(/^idemflow: pipelines\/strategies\/shared\.ts: exports no pipeline/);
    const pretty = runCli(['check', ...files]);
    expect(pretty.status).toBe(2);
    expect(pretty.stdout).toMatch(
      /✖ 2 pipelines: 1 error, \d+ warnings?, \d+ notes?; 1 file not loaded \(named on stderr\)/,
    );
  });
});

/** A command's full help, with the examples that addHelpText puts after it. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe('help examples work for a package user', () => {
  it.each(commands.map((c) => [c.name, c] as const))(
    '%s: each example parses, and names no file that only this repository has',
    async (_name, entry) => {
      const command = await entry.load();
      const examples =
        helpOf(command)
          .split('Examples:')[1]
          // A line ending in a backslash goes on in the next one, as in a shell.
          ?.replace(/\\\n\s*/g, '')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.startsWith('idemflow ')) ?? [];
      for (const example of examples) {
        expect(example).not.toMatch(/pipelines\/(demo|strategies)\/|\bsrc\b|test\/fixtures/);
        const args = example
          .replace(/\s+(#|\().*$/, '')
          .replace(/\s*\|.*$/, '')
          .split(/\s+/)
          .slice(1)
          .map((a) => a.replace(/^"(.*)"$/, '$1'));
        if (args[0] !== command.name()) continue;
        let parsed = false;
        const fresh = await entry.load();
        const stub = (c: Command): void => {
          c.exitOverride()
            .configureOutput({ writeErr: () => {} })
            .action(() => {
              parsed = true;
            });
          c.commands.forEach(stub);
        };
        stub(fresh);
        await fresh.parseAsync(args.slice(1), { from: 'user' });
        expect(parsed, example).toBe(true);
      }
    },
  );
});
