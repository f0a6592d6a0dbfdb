/**
 * `npx tsx scripts/lint-wild.ts [owner+name …]`: runs `idemflow lint` on
 * public repositories already fetched onto this machine as bare git
 * repositories under /work/.mirror/<owner+name>/repo (the search tool's
 * fetch puts them there). Their HEAD is extracted to a temporary folder
 * (never into this repository, never run), linted as a user would (`idemflow
 * lint <folder>`: tests and examples left out by default), and every finding
 * is listed as Markdown for a person to judge by reading the code; the
 * judgements live in docs/lint-in-the-wild.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mirrors = process.env.IDEMFLOW_MIRRORS ?? '/work/.mirror';
const work = process.env.IDEMFLOW_WILD_DIR ?? '/tmp/idemflow-wild';
const bin = fileURLToPath(new URL('../bin/idemflow.js', import.meta.url));

interface Finding {
  code: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

function extract(name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['--git-dir', join(mirrors, name, 'repo'), 'archive', 'HEAD'], {
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  return dir;
}

function lint(dir: string, includeTests: boolean): { files: number; skippedTests: number; findings: Finding[] } {
  const r = spawnSync(
    process.execPath,
    [bin, 'lint', dir, '--format', 'json', '--quiet', ...(includeTests ? ['--include-tests'] : [])],
    { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`idemflow lint ${dir}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout) as { files: number; skippedTests: number; findings: Finding[] };
}

const names =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2)
    : existsSync(mirrors)
      ? readdirSync(mirrors).filter((n) => existsSync(join(mirrors, n, 'repo')))
      : [];
if (names.length === 0) throw new Error(`no repositories under ${mirrors}: fetch some first`);
for (const name of names) {
  const dir = extract(name);
  const plain = lint(dir, false);
  const withTests = lint(dir, true);
  process.stdout.write(
    `## ${name.replace('+', '/')}\n\n${plain.files} files linted, ${plain.skippedTests} test or example files left out; with --include-tests ${withTests.findings.length} findings.\n\n`,
  );
  for (const f of plain.findings)
    process.stdout.write(`- ${f.severity} ${f.code} ${f.file}:${f.line}:${f.column} — ${f.message}\n`);
  if (plain.findings.length === 0) process.stdout.write('No findings.\n');
  process.stdout.write('\n');
}
