/**
 * `npm run bench -- lint-corpus`: recall and precision of `check` and `lint`
 * on the adversarial corpus (test/fixtures/corpus: one case a file, bad cases
 * and safe look-alikes). Each expected finding is a `// @IDEMnnn` comment at
 * the end of the line it must be reported on; errors and warnings count,
 * notes do not. `check` is measured on the cases that are idemflow pipelines
 * (it cannot see driver code). Writes docs/lint-accuracy.md; the last line is
 * `lint_recall=… lint_precision=… check_recall=… check_precision=…`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipelines } from '../cli/load-pipelines.ts';
import { reportOf } from '../cli/report.ts';
import { lintProject, loadLintProject } from '../compiler/lint/lint.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const corpusDir = join(repo, 'test', 'fixtures', 'corpus');
export const accuracyDoc = join(repo, 'docs', 'lint-accuracy.md');

export interface CorpusCase {
  readonly name: string;
  readonly file: string;
  /** An idemflow pipeline (`check` can load it), as opposed to driver code. */
  readonly pipeline: boolean;
  /** `CODE line` for every marker. */
  readonly expected: readonly string[];
}

/** The markers of a line: `@IDEMnnn` in its trailing `//` comment. */
const markersOf = (line: string) =>
  [...(/\/\/ (@IDEM.*)$/.exec(line)?.[1]?.matchAll(/@(IDEM\d{3})/g) ?? [])].map((m) => m[1]!);

export function corpusCases(): CorpusCase[] {
  return readdirSync(corpusDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((name) => {
      const file = join(corpusDir, name);
      const text = readFileSync(file, 'utf8');
      const expected = text.split('\n').flatMap((line, i) => markersOf(line).map((code) => `${code} ${i + 1}`));
      return { name: name.replace(/\.ts$/, ''), file, pipeline: /from 'idemflow'/.test(text), expected };
    });
}

export interface ToolScore {
  readonly cases: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  /** Safe cases (no marker) with at least one finding. */
  readonly falseAlarms: readonly string[];
  /** Expected findings not reported, and findings reported but not expected, as `case: CODE line`. */
  readonly missed: readonly string[];
  readonly extra: readonly string[];
}

function score(
  cases: readonly CorpusCase[],
  reported: ReadonlyMap<string, readonly string[]>,
  applies: (code: string) => boolean,
): ToolScore {
  let tp = 0;
  const missed: string[] = [];
  const extra: string[] = [];
  const falseAlarms: string[] = [];
  for (const c of cases) {
    const expected = new Set(c.expected.filter((e) => applies(e.split(' ')[0]!)));
    const got = new Set(reported.get(c.name) ?? []);
    for (const e of expected) {
      if (got.has(e)) tp++;
      else missed.push(`${c.name}: ${e}`);
    }
    for (const g of got) if (!expected.has(g)) extra.push(`${c.name}: ${g}`);
    if (c.expected.length === 0 && got.size > 0) falseAlarms.push(c.name);
  }
  return { cases: cases.length, tp, fp: extra.length, fn: missed.length, falseAlarms, missed, extra };
}

/** Codes only `lint` can report: they need source code (driver calls, suppressions, unreadable files). */
const lintOnly = new Set(['IDEM010', 'IDEM011', 'IDEM012', 'IDEM013', 'IDEM015', 'IDEM017']);

export async function measureCorpus(): Promise<{ cases: readonly CorpusCase[]; lint: ToolScore; check: ToolScore }> {
  const cases = corpusCases();
  const files = cases.map((c) => c.file);
  const linted = lintProject(loadLintProject(files, join(repo, 'tsconfig.json')), files);
  const byCase = new Map<string, string[]>();
  for (const f of linted.findings) {
    if (f.suppressed || f.severity === 'note') continue;
    const name = f.location.file.slice(corpusDir.length + 1).replace(/\.ts$/, '');
    byCase.set(name, [...(byCase.get(name) ?? []), `${f.code} ${f.location.line}`]);
  }
  const checked = new Map<string, string[]>();
  const pipelines = cases.filter((c) => c.pipeline);
  for (const c of pipelines) {
    try {
      for (const loaded of await loadPipelines(c.file)) {
        for (const d of reportOf(loaded).diagnostics)
          if (d.severity !== 'note' && d.location?.file.endsWith(`${c.name}.ts`))
            checked.set(c.name, [...(checked.get(c.name) ?? []), `${d.code} ${d.location.line}`]);
      }
    } catch (error) {
      checked.set(c.name, [`load-error ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`]);
    }
  }
  return {
    cases,
    lint: score(cases, byCase, () => true),
    check: score(pipelines, checked, (code) => !lintOnly.has(code)),
  };
}

const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)} %`);

export function accuracyTable(m: Awaited<ReturnType<typeof measureCorpus>>): string {
  const safe = m.cases.filter((c) => c.expected.length === 0).length;
  const row = (tool: string, s: ToolScore) =>
    `| \`${tool}\` | ${s.cases} | ${s.tp} | ${s.fn} | ${s.fp} | ${pct(s.tp, s.tp + s.fn)} | ${pct(s.tp, s.tp + s.fp)} | ${s.falseAlarms.length} |`;
  return [
    `${m.cases.length} cases, ${safe} of them safe look-alikes (${pct(safe, m.cases.length)}); ${m.cases.filter((c) => c.pipeline).length} are idemflow pipelines, the rest driver code.`,
    '',
    '| tool | cases | found | missed | false | recall | precision | safe cases with a finding |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('lint', m.lint),
    row('check', m.check),
  ].join('\n');
}

function listing(title: string, items: readonly string[]): string {
  return `### ${title}\n\n${items.length === 0 ? 'None.' : items.map((i) => `- ${i}`).join('\n')}\n`;
}

export async function benchLintCorpus(): Promise<string> {
  const m = await measureCorpus();
  const doc = `# Lint accuracy on the adversarial corpus

Generated by \`npm run bench -- lint-corpus\` (bench/lint-corpus.ts); do not edit by hand —
test/compiler/lint/corpus.test.ts fails when this table and the code disagree.

The corpus (test/fixtures/corpus/) was written as a reviewer who wants to break
the analyser, not from the rule fixtures: bugs hidden behind helpers, names,
classes, promisified clients, other consumers and streams, and safe code that
only looks bad (a variable named \`now\` holding event time, \`Date.parse(e.ts)\`,
uuid v5 of fields, hashes, the clock in a value column, log sampling, a fresh id
made once before \`execute\`, a per-query \`isIdempotent: false\`). Each expected
finding is a \`// @IDEMnnn\` marker on the line it must be reported on. A finding
counts when its code and line match; errors and warnings count, notes do not.
\`check\` is scored on the pipeline cases only, for the codes it can report.

${accuracyTable(m)}

## lint
${listing('Missed', m.lint.missed)}
${listing('Reported but not expected', m.lint.extra)}
## check
${listing('Missed', m.check.missed)}
${listing('Reported but not expected', m.check.extra)}`;
  writeFileSync(accuracyDoc, doc);
  process.stderr.write(`${accuracyTable(m)}\n(written to docs/lint-accuracy.md)\n`);
  const r = (s: ToolScore) => (s.tp / Math.max(1, s.tp + s.fn)).toFixed(3);
  const p = (s: ToolScore) => (s.tp / Math.max(1, s.tp + s.fp)).toFixed(3);
  return `lint_recall=${r(m.lint)} lint_precision=${p(m.lint)} check_recall=${r(m.check)} check_precision=${p(m.check)}`;
}
