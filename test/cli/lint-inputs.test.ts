import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupByTsconfig, isTestOrExample } from '../../cli/lint-inputs.ts';
import { lintProject, loadLintProject } from '../../compiler/lint/lint.ts';
import { repoRoot, runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Another project: its own tsconfig (no allowJs), a .cql schema, a handler, a test that would be an error. */
function otherProject(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'src', 'test'), { recursive: true });
  mkdirSync(join(dir, 'schema'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
  writeFileSync(join(dir, 'schema', 'events.cql'), 'CREATE TABLE ks.events (id uuid PRIMARY KEY, v int);\n');
  writeFileSync(
    join(dir, 'src', 'handler.js'),
    [
      "const { v4: uuid } = require('uuid');",
      'module.exports = async function start(consumer, client) {',
      '  await consumer.run({ eachMessage: async ({ message }) => {',
      "    await client.execute('INSERT INTO ks.events (id, v) VALUES (?, ?)', [uuid(), Number(message.value)], { prepare: true });",
      '  } });',
      '};',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'src', 'test', 'seed.js'),
    "module.exports = (client) => client.execute('UPDATE ks.c SET n = n + 1 WHERE k = ?', ['a'], { isIdempotent: true });\n",
  );
  return dir;
}

const json = (stdout: string) =>
  JSON.parse(stdout) as {
    files: number;
    tsconfigs: string[];
    skippedTests: number;
    findings: { code: string; file: string; line: number; column: number }[];
  };

describe('idemflow lint: which files, which tsconfig', () => {
  it('a folder brings its .cql schemas; each file takes its nearest tsconfig, and the report names it; tests are left out and counted', () => {
    const dir = otherProject();
    // Run from this repository: its tsconfig.json must not be the one used for the other project.
    const r = runCli(['lint', dir, '--format', 'json', '-q']);
    const out = json(r.stdout);
    expect(out.tsconfigs).toEqual([join(dir, 'tsconfig.json')]);
    expect(out.files).toBe(2);
    expect(out.skippedTests).toBe(1);
    // The INSERT's key is known only from schema/events.cql, which a folder used to skip.
    expect(out.findings.map((f) => `${f.code} ${f.file.slice(dir.length)}:${f.line}:${f.column}`)).toEqual([
      'IDEM011 /src/handler.js:4:74',
    ]);
    expect(r.status).toBe(1);
    const pretty = runCli(['lint', dir, '-q', '--include-tests']);
    expect(pretty.stdout).toContain(`compiler options: ${join(dir, 'tsconfig.json')}`);
    expect(pretty.stdout).toMatch(/src\/test\/seed\.js:1:\d+ +error +IDEM010/);
  }, 120_000);

  it('tests and examples are known by folder or name below the working directory', () => {
    for (const path of [
      'test/a.ts',
      'src/__tests__/a.ts',
      'examples/basic/x.js',
      'src/a.spec.ts',
      'lib/b.test.mjs',
      'spec/x.ts',
    ])
      expect(isTestOrExample(join(repoRoot, path), repoRoot), path).toBe(true);
    for (const path of ['src/a.ts', 'lib/testing.ts', 'src/latest/x.ts', 'contest/x.ts'])
      expect(isTestOrExample(join(repoRoot, path), repoRoot), path).toBe(false);
  });

  it('--project governs every file; without it each file goes with its nearest tsconfig.json (none: built-in defaults)', () => {
    const dir = otherProject();
    const handler = join(dir, 'src', 'handler.js');
    const lonely = join(tempDir(), 'alone.ts');
    writeFileSync(lonely, 'export {};\n');
    expect([...groupByTsconfig([handler, join(repoRoot, 'cli/main.ts')], undefined)]).toEqual([
      [join(dir, 'tsconfig.json'), [handler]],
      [join(repoRoot, 'tsconfig.json'), [join(repoRoot, 'cli/main.ts')]],
    ]);
    expect([...groupByTsconfig([handler], '/x/tsconfig.json')]).toEqual([['/x/tsconfig.json', [handler]]]);
    expect([...groupByTsconfig([lonely], undefined)]).toEqual([[undefined, [lonely]]]);
  });

  it('a table named by a template the lint cannot read is an unknown table, never one called `x`', () => {
    const dir = tempDir();
    const file = join(dir, 'counts.ts');
    writeFileSync(
      file,
      [
        'declare const client: { execute(q: string, p: unknown[], o?: object): Promise<unknown> };',
        'declare const prefix: string;',
        'export const hit = (page: string) =>',
        '  client.execute(`UPDATE ${prefix}_counts SET n = n + 1 WHERE page = ?`, [page], { isIdempotent: true });',
        // A CREATE TABLE with an unknown name must not lend its key to another unknown table.
        'export const ddl = `CREATE TABLE ${prefix}_x (id uuid PRIMARY KEY)`;',
        'export const add = (id: string) => client.execute(`INSERT INTO ${prefix}_x (id) VALUES (?)`, [crypto.randomUUID()], { isIdempotent: true });',
        '',
      ].join('\n'),
    );
    const result = lintProject(loadLintProject([file]), [file]);
    expect(result.findings.map((f) => [f.code, f.location.line, f.message.split(':')[0]])).toEqual([
      ['IDEM010', 4, 'Counter update of an unknown table (${prefix}_counts).n is marked isIdempotent'],
    ]);
  });
});
