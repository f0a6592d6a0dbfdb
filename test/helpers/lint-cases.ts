import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { LintResult } from '../../compiler/lint/lint.ts';

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
