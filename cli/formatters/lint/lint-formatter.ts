import { relative, sep } from 'node:path';
import type { LintFinding, LintResult } from '../../../compiler/lint/lint.ts';

/** A lint output format: the result in, the text to print out. */
export type LintFormatter = (result: LintResult) => string;

/** A path as people and CI tools want it: relative to the working directory, with forward slashes. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

export const active = (result: LintResult): LintFinding[] => result.findings.filter((f) => !f.suppressed);

export function lintCounts(result: LintResult): { error: number; warning: number; note: number; suppressed: number } {
  const counts = { error: 0, warning: 0, note: 0, suppressed: 0 };
  for (const f of result.findings) {
    if (f.suppressed) counts.suppressed++;
    else counts[f.severity]++;
  }
  return counts;
}
