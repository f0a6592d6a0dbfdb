import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { officialSarifSchema } from '../helpers/sarif-schema.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// ajv-draft-04 is CommonJS with `exports.default`: under NodeNext the class is one level down.
const Ajv = AjvDraft04.default;
const fixture = (name: string) => `test/fixtures/lint/${name}`;
const json = (stdout: string) =>
  JSON.parse(stdout) as {
    summary: Record<string, number>;
    findings: { code: string; file: string; line: number; column: number; suppressed?: string }[];
  };

describe('idemflow lint (CLI)', () => {
  it('pretty: file:line:col, severity, code, a code frame with a caret, the fix; exit 1 on errors', () => {
    const r = runCli(['lint', fixture('driver-counter-idempotent.ts')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'test/fixtures/lint/driver-counter-idempotent.ts:6:16  error  IDEM010 counter-update-retried',
    );
    expect(r.stdout).toMatch(/> 6 \| {3}await client\.execute\('UPDATE events_counts/);
    // the caret sits under column 16: the gutter "      |", a space, then 15 more
    expect(r.stdout).toMatch(/\n {6}\| {16}\^\n/);
    expect(r.stdout).toContain('fix: Counters are never idempotent');
    expect(r.stdout).toContain('✖ 1 file, 0 pipelines: 1 error, 0 warnings, 0 notes');
  });

  it('exit 0 on clean code, notes allowed', () => {
    const r = runCli(['lint', fixture('dsl-clean-recommended.ts'), fixture('kafka-awaited-clean.ts')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 files, 1 pipeline: 0 errors, 0 warnings, 0 notes');
  });

  it('json lists every finding with its place; suppressed ones carry their reason', () => {
    const r = runCli(['lint', fixture('suppressed.ts'), '--format', 'json']);
    expect(r.status).toBe(1);
    const out = json(r.stdout);
    expect(out.summary).toEqual({ error: 4, warning: 0, note: 0, suppressed: 1 });
    expect(out.findings.map((f) => [f.code, f.line, f.column, f.suppressed ?? ''])).toEqual([
      ['IDEM010', 7, 16, 'approximate hit counter; the nightly batch job recomputes it exactly'],
      ['IDEM013', 11, 3, ''],
      ['IDEM010', 12, 16, ''],
      ['IDEM013', 16, 3, ''],
      ['IDEM013', 21, 3, ''],
    ]);
  });

  it('github: one workflow annotation a finding, properties escaped', () => {
    const r = runCli([
      'lint',
      fixture('driver-key-new-date.ts'),
      fixture('dsl-socket-no-wal.ts'),
      '--format',
      'github',
    ]);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^::error file=test\/fixtures\/lint\/driver-key-new-date\.ts,line=13,col=109,title=IDEM011 nondeterministic-bound-key::Key column `ts` of readings is bound to new Date\(\).*%0Afix: /,
    );
    expect(lines[1]).toMatch(
      /^::warning file=test\/fixtures\/lint\/dsl-socket-no-wal\.ts,line=4,col=4,title=IDEM005 receiver-without-durability::/,
    );
    expect(lines[2]).toMatch(/^::notice file=.*dsl-socket-no-wal\.ts,line=7,col=4,title=IDEM006 no-system-of-record::/);
    expect(r.status).toBe(1);
  });

  it('sarif: valid against the official SARIF 2.1.0 schema, with rules, regions and in-source suppressions; --output writes the file', async () => {
    const dir = tempDir();
    const out = join(dir, 'idemflow.sarif');
    const r = runCli([
      'lint',
      fixture('suppressed.ts'),
      fixture('dsl-map-stamps-time.ts'),
      '--format',
      'sarif',
      '--output',
      out,
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const log = JSON.parse(readFileSync(out, 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(await officialSarifSchema());
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('idemflow');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['IDEM001', 'IDEM003', 'IDEM010', 'IDEM013']),
    );
    const stamped = run.results.find((x: { ruleId: string }) => x.ruleId === 'IDEM003');
    expect(stamped.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/fixtures/lint/dsl-map-stamps-time.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 5, startColumn: 36 },
    });
    expect(run.tool.driver.rules[stamped.ruleIndex].id).toBe('IDEM003');
    const suppressed = run.results.filter((x: { suppressions?: unknown[] }) => x.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppressions[0]).toEqual({
      kind: 'inSource',
      justification: 'approximate hit counter; the nightly batch job recomputes it exactly',
    });
  }, 120_000);

  it('the schema check itself fails on a broken log (so the test above can fail)', async () => {
    const validate = new Ajv({ strict: false }).compile(await officialSarifSchema());
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  }, 120_000);

  it('--max-warnings: warnings pass by default and fail over the maximum', () => {
    expect(runCli(['lint', fixture('dsl-socket-no-wal.ts')]).status).toBe(0);
    const strict = runCli(['lint', fixture('dsl-socket-no-wal.ts'), '--max-warnings', '0']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('1 warnings, more than --max-warnings 0');
    expect(runCli(['lint', fixture('dsl-socket-no-wal.ts'), '--max-warnings', 'many']).status).toBe(2);
  }, 180_000);

  it('a config file sets severities; a bad one is a usage error naming the file and the key', () => {
    const dir = tempDir();
    copyFileSync(fixture('driver-counter-idempotent.ts'), join(dir, 'counter.ts'));
    writeFileSync(join(dir, 'idemflow.lint.json'), JSON.stringify({ rules: { IDEM010: 'warning' } }));
    const relaxed = runCli(['lint', 'counter.ts'], { cwd: dir });
    expect(relaxed.stdout).toContain('warning  IDEM010');
    expect(relaxed.status).toBe(0);
    writeFileSync(join(dir, 'idemflow.lint.json'), JSON.stringify({ rules: { IDEM999: 'off' } }));
    const bad = runCli(['lint', 'counter.ts'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/idemflow\.lint\.json: rules\.IDEM999: unknown code/);
  }, 180_000);

  it('--since lints only files changed since a git ref (committed, uncommitted or new)', () => {
    const dir = tempDir();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
    git('init', '-q');
    copyFileSync(fixture('driver-counter-idempotent.ts'), join(dir, 'old.ts'));
    git('add', '.');
    git('commit', '-qm', 'base');
    copyFileSync(fixture('driver-counter-loop.ts'), join(dir, 'committed.ts'));
    git('add', '.');
    git('commit', '-qm', 'change');
    copyFileSync(fixture('driver-counter-kafka.ts'), join(dir, 'untracked.ts'));
    const r = runCli(['lint', '.', '--since', 'HEAD~1', '--format', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(json(r.stdout).findings.map((f) => [f.file, f.code])).toEqual([
      ['committed.ts', 'IDEM010'],
      ['untracked.ts', 'IDEM010'],
    ]);
    const all = runCli(['lint', '.', '--format', 'json'], { cwd: dir });
    expect(json(all.stdout).findings).toHaveLength(3);
    const badRef = runCli(['lint', '.', '--since', 'no-such-branch'], { cwd: dir });
    expect(badRef.status).toBe(2);
    expect(badRef.stderr).toContain('--since: "no-such-branch" is not a commit, branch or tag');
  }, 180_000);

  it('usage errors exit 2 with one clear line', () => {
    const missing = runCli(['lint', 'no/such/file.ts']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no/such/file.ts: file not found');
    const nothing = runCli(['lint'], { cwd: tempDir() });
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toContain('give files, folders or globs to lint');
    expect(runCli(['lint', fixture('dsl-clean-recommended.ts'), '--format', 'xml']).status).toBe(2);
  }, 180_000);
});
