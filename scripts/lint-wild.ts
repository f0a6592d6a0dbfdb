/**
 * `npx tsx scripts/lint-wild.ts [owner/name …]`: runs `idemflow lint` on the
 * public repositories listed in scripts/lint-wild-repos.json, each at the
 * commit pinned there, so a re-run judges the same code. They must already be
 * on this machine as git directories under /work/.mirror/<owner+name>/ (the
 * search tool's fetch puts them there). The pinned commit is extracted to a
 * temporary folder (never into this repository, never run), linted as a user
 * would (`idemflow lint <folder>`: tests and examples left out by default),
 * and linted again with `--include-tests`.
 *
 * Every finding is matched against scripts/lint-wild-judgements.json (a
 * person's verdict after reading the code: true, false or debatable, with a
 * reason); the output is the Markdown table of docs/lint-in-the-wild.md and
 * the findings below it, unjudged ones marked so they get read. A lint that
 * exits 2 (a crash) is reported for that repository and the run goes on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mirrors = process.env.IDEMFLOW_MIRRORS ?? '/work/.mirror';
const work = process.env.IDEMFLOW_WILD_DIR ?? '/tmp/idemflow-wild';
const bin = fileURLToPath(new URL('../bin/idemflow.js', import.meta.url));
const listFile = fileURLToPath(new URL('./lint-wild-repos.json', import.meta.url));
const judgementFile = fileURLToPath(new URL('./lint-wild-judgements.json', import.meta.url));

interface Repo {
  repo: string;
  commit: string;
  kind: string;
}
interface Finding {
  code: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
}
type Verdict = 'true' | 'false' | 'debatable';
interface Judgement {
  repo: string;
  at: string; // "CODE path:line:column", path relative to the repository
  verdict: Verdict;
  reason: string;
}
interface LintRun {
  files: number;
  skippedTests: number;
  findings: Finding[];
  crash?: string;
}

/** The git directory fetch made: `repo` (bare) or `repo/.git` (a work tree's). */
function gitDir(repo: string): string | undefined {
  const base = join(mirrors, repo.replace('/', '+'), 'repo');
  return [join(base, '.git'), base].find((d) => existsSync(join(d, 'HEAD')));
}

// Sources and what resolves them only: the snapshot lacks large blobs (images, dumps), and nothing else is read.
const source = /(\.([cm]?[jt]sx?|cql)|(^|\/)(tsconfig[^/]*\.json|package\.json))$/;

function extract(repo: Repo, git: string): string {
  const dir = join(work, repo.repo.replace('/', '+'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tree = execFileSync('git', ['--git-dir', git, 'ls-tree', '-r', '--name-only', '-z', repo.commit], {
    maxBuffer: 1 << 28,
  });
  const paths = tree
    .toString('utf8')
    .split('\0')
    .filter((p) => source.test(p) && !p.split('/').includes('node_modules'));
  for (let i = 0; i < paths.length; i += 500) {
    const chunk = paths.slice(i, i + 500);
    const archive = execFileSync('git', ['--git-dir', git, 'archive', repo.commit, '--', ...chunk], {
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive, maxBuffer: 1 << 30 });
  }
  return dir;
}

function lint(dir: string, includeTests: boolean): LintRun {
  const args = [bin, 'lint', dir, '--format', 'json', '--quiet', ...(includeTests ? ['--include-tests'] : [])];
  // cwd is the repository, as for a user running it there: its tsconfig.json, if any, is the default project.
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1)
    return { files: 0, skippedTests: 0, findings: [], crash: `exit ${r.status}: ${r.stderr.split('\n')[0]}` };
  const out = JSON.parse(r.stdout) as LintRun;
  const relative = (f: Finding) => ({ ...f, file: f.file.startsWith(dir) ? f.file.slice(dir.length + 1) : f.file });
  return { ...out, findings: out.findings.map(relative) };
}

const atOf = (f: Finding) => `${f.code} ${f.file}:${f.line}:${f.column}`;

function readJudgements(): Map<string, Judgement> {
  const list = existsSync(judgementFile) ? (JSON.parse(readFileSync(judgementFile, 'utf8')) as Judgement[]) : [];
  return new Map(list.map((j) => [`${j.repo} ${j.at}`, j]));
}

interface Row {
  repo: Repo;
  plain: LintRun;
  withTests: LintRun;
  verdicts: Record<Verdict | 'unjudged', number>;
}

function tally(repo: Repo, findings: Finding[], judgements: Map<string, Judgement>): Row['verdicts'] {
  const verdicts = { true: 0, false: 0, debatable: 0, unjudged: 0 };
  for (const f of findings) verdicts[judgements.get(`${repo.repo} ${atOf(f)}`)?.verdict ?? 'unjudged'] += 1;
  return verdicts;
}

const precision = (v: Row['verdicts']) =>
  v.true + v.false === 0 ? '—' : `${Math.round((100 * v.true) / (v.true + v.false))} %`;

function table(rows: Row[]): string {
  const head =
    '| repository | commit | kind | files linted | test/example files left out | findings | true | false | debatable | precision | findings with `--include-tests` |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n';
  const line = (r: Row) =>
    `| ${r.repo.repo} | \`${r.repo.commit.slice(0, 8)}\` | ${r.repo.kind} | ${r.plain.crash ? `crash: ${r.plain.crash}` : r.plain.files} | ${r.plain.skippedTests} | ${r.plain.findings.length} | ${r.verdicts.true} | ${r.verdicts.false} | ${r.verdicts.debatable} | ${precision(r.verdicts)} | ${r.withTests.crash ? 'crash' : r.withTests.findings.length} |`;
  const sum = (k: keyof Row['verdicts']) => rows.reduce((n, r) => n + r.verdicts[k], 0);
  const all = { true: sum('true'), false: sum('false'), debatable: sum('debatable'), unjudged: sum('unjudged') };
  const files = rows.reduce((n, r) => n + r.plain.files, 0);
  const findings = rows.reduce((n, r) => n + r.plain.findings.length, 0);
  const total = `| **all ${rows.length}** | | | ${files} | | ${findings} | ${all.true} | ${all.false} | ${all.debatable} | **${precision(all)}** | |`;
  return `${head}${rows.map(line).join('\n')}\n${total}\n`;
}

function details(row: Row, judgements: Map<string, Judgement>): string {
  const lines = row.plain.findings.map((f) => {
    const j = judgements.get(`${row.repo.repo} ${atOf(f)}`);
    const verdict = j ? `**${j.verdict}**: ${j.reason}` : '**unjudged**';
    return `- ${f.severity} ${atOf(f)} — ${f.message}\n  ${verdict}`;
  });
  return `### ${row.repo.repo}\n\n${lines.length > 0 ? lines.join('\n') : 'No findings.'}\n`;
}

const all = JSON.parse(readFileSync(listFile, 'utf8')) as Repo[];
const wanted = process.argv.slice(2);
const repos = wanted.length > 0 ? all.filter((r) => wanted.includes(r.repo)) : all;
const judgements = readJudgements();
const rows: Row[] = [];
for (const repo of repos) {
  const git = gitDir(repo.repo);
  if (!git) {
    process.stderr.write(`${repo.repo}: not under ${mirrors}; fetch it first (skipped)\n`);
    continue;
  }
  const dir = extract(repo, git);
  const plain = lint(dir, false);
  const withTests = lint(dir, true);
  rows.push({ repo, plain, withTests, verdicts: tally(repo, plain.findings, judgements) });
}
process.stdout.write(`${table(rows)}\n${rows.map((r) => details(r, judgements)).join('\n')}`);
