import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { tsconfigFiles } from '../compiler/lint/lint.ts';
import { changedFilesSince } from './changed-files.ts';
import { resolveFiles } from './load-pipelines.ts';
import { UsageError } from './usage-error.ts';

const lintable = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|cql)$/;
/** What a folder given to `lint` contributes: sources and `.cql` schema files (primary keys). */
export const lintFolderGlob = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,cql}';
const isLintable = (f: string) => lintable.test(f) && !/\.d\.[cm]?ts$/.test(f) && !f.includes('/node_modules/');

/** Folders of tests and examples: code that runs once by hand or in CI, not in production. */
const testFolder = /^(test|tests|__tests__|spec|specs|e2e|example|examples|fixtures|benchmark|benchmarks)$/i;
const testFile = /\.(test|spec)\.[cm]?[jt]sx?$/;

/** A test or example file: a `*.test.*` / `*.spec.*` name, or a folder of tests or examples on its path below `base`. */
export function isTestOrExample(file: string, base: string): boolean {
  const rel = relative(base, file);
  return (
    testFile.test(file) ||
    rel
      .split(sep)
      .slice(0, -1)
      .some((part) => testFolder.test(part))
  );
}

export interface LintInputs {
  readonly files: readonly string[];
  /** Test and example files found in folders or globs and left out (none when --include-tests). */
  readonly skippedTests: number;
}

/** The files to lint: those given (or the tsconfig's), narrowed to those changed since `since`; tests and examples out unless asked. */
export async function filesToLint(
  patterns: readonly string[],
  options: { tsconfig?: string; since?: string; includeTests: boolean },
): Promise<LintInputs> {
  const changed = options.since === undefined ? undefined : changedFilesSince(options.since);
  let found: { path: string; explicit: boolean }[];
  if (patterns.length > 0) found = await resolveFiles(patterns, lintFolderGlob);
  else if (changed) found = [...changed].map((path) => ({ path, explicit: false }));
  else if (options.tsconfig) found = tsconfigFiles(options.tsconfig).map((path) => ({ path, explicit: false }));
  else
    throw new UsageError(
      'give files, folders or globs to lint (e.g. idemflow lint "src/**/*.ts"), or run where a tsconfig.json is',
    );
  const candidates = found.filter((f) => isLintable(f.path) && (!changed || changed.has(f.path)));
  const base = process.cwd();
  const kept = candidates.filter((f) => options.includeTests || f.explicit || !isTestOrExample(f.path, base));
  return { files: kept.map((f) => f.path).sort(), skippedTests: candidates.length - kept.length };
}

/** The nearest tsconfig.json in the file's folder or above it. */
export function nearestTsconfig(file: string): string | undefined {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Files grouped by the tsconfig that governs them: `--project` for all, else each file's nearest (undefined: built-in defaults). */
export function groupByTsconfig(
  files: readonly string[],
  project: string | undefined,
): Map<string | undefined, string[]> {
  const groups = new Map<string | undefined, string[]>();
  for (const file of files) {
    const tsconfig = project ?? nearestTsconfig(file);
    groups.set(tsconfig, [...(groups.get(tsconfig) ?? []), file]);
  }
  return groups;
}
