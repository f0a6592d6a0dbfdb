import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { loadPipelines, resolveFiles } from '../../cli/load-pipelines.ts';
import { reportOf } from '../../cli/report.ts';
import { lintProject, loadLintProject, type LintResult } from '../../compiler/lint/lint.ts';

/** [code, line, column, the text that must start there]: the exact expression, not just the line. */
export type ExpectedFinding = readonly [code: string, line: number, column: number, startsWith: string];

/** The file's text from a 1-based line and column on. */
export function textAt(file: string, line: number, column: number): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  return `${lines[line - 1]!.slice(column - 1)}\n${lines.slice(line).join('\n')}`;
}

/** One test a fixture file: exactly these unsuppressed findings, each at the expression it names. */
export function lintCaseTests(
  dir: string,
  cases: Readonly<Record<string, readonly ExpectedFinding[]>>,
  result: () => LintResult,
  label = '',
): void {
  for (const [name, expected] of Object.entries(cases)) {
    it(`${label}${name}: ${expected.length === 0 ? 'clean' : expected.map(([code, line, column]) => `${code} at ${line}:${column}`).join(', ')}`, () => {
      const found = result().findings.filter((f) => f.location.file === dir + name && !f.suppressed);
      expect(found.map((f) => [f.code, f.location.line, f.location.column])).toEqual(
        expected.map(([code, line, column]) => [code, line, column]),
      );
      for (const [, line, column, startsWith] of expected)
        expect(textAt(dir + name, line, column).startsWith(startsWith)).toBe(true);
    });
  }
}

/** Every file of a fixture folder linted as one project (IDEM006 off: fixtures keep no system of record on purpose). */
export async function lintFixtureFolder(
  root: string,
  tsconfig: string,
): Promise<{ files: string[]; linted: LintResult }> {
  const files = (await resolveFiles([root])).map((f) => f.path);
  return {
    files,
    linted: lintProject(loadLintProject(files, tsconfig), files, { config: { rules: { IDEM006: 'off' } } }),
  };
}

/** What `check` (which runs the pipelines) reports in these fixture files, and what their cases expect, as `CODE file:line:col`. */
export async function checkedAndExpected(
  root: string,
  cases: Readonly<Record<string, readonly ExpectedFinding[]>>,
  pipelines: readonly string[],
): Promise<{ checked: string[]; expected: string[] }> {
  const key = (code: string, l: { file: string; line: number; column: number }) =>
    `${code} ${l.file.slice(root.length)}:${l.line}:${l.column}`;
  const loaded = (await Promise.all(pipelines.map((f) => loadPipelines(root + f, false)))).flat();
  const checked = loaded.flatMap((p) =>
    reportOf(p)
      .diagnostics.filter((d) => d.code !== 'IDEM006')
      .map((d) => key(d.code, d.location!)),
  );
  const expected = Object.entries(cases).flatMap(([name, list]) =>
    list.map(([code, line, column]) => key(code, { file: root + name, line, column })),
  );
  return { checked: checked.sort(), expected: expected.sort() };
}

/**
 * Inside a `describe`: lint a fixture folder once, check that the cases name
 * every file of it, and one test a file. Returns what was linted, for more tests.
 */
export function fixtureFolderTests(
  root: string,
  tsconfig: string,
  cases: Readonly<Record<string, readonly ExpectedFinding[]>>,
): () => LintResult {
  let files: string[];
  let linted: LintResult;
  beforeAll(async () => {
    ({ files, linted } = await lintFixtureFolder(root, tsconfig));
  }, 120_000);

  it('covers every fixture file', () => {
    expect(files.map((f) => f.slice(root.length)).sort()).toEqual(Object.keys(cases).sort());
  });

  lintCaseTests(root, cases, () => linted, 'lint ');
  return () => linted;
}
