/**
 * `idemflow/lint`: the static lint as a function. Separate from
 * `idemflow/compiler` because it loads the TypeScript compiler API (ts-morph).
 */
import { resolve } from 'node:path';
import { lintProject, loadLintProject, type LintOptions, type LintResult } from './lint.ts';

export type { LintFinding, LintOptions, LintResult } from './lint.ts';
export type { LintConfig } from './lint-config.ts';

export interface LintFilesOptions extends LintOptions {
  /** The project's tsconfig.json, for its compiler options and module resolution. */
  readonly tsconfig?: string;
}

/** `idemflow lint` inside a program: reads the files (it never runs them) and returns the findings, sorted by place. */
export function lint(files: readonly string[], options: LintFilesOptions = {}): LintResult {
  const paths = files.map((file) => resolve(file));
  return lintProject(loadLintProject(paths, options.tsconfig), paths, options);
}
