import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readLintConfig, type LintConfig } from '../../compiler/lint/lint-config.ts';
import { defaultLintConfigFile } from '../../compiler/lint/lint-config-file.ts';
import {
  allRuleMeta,
  lintProject,
  loadLintProject,
  mergeLintResults,
  type LintResult,
} from '../../compiler/lint/lint.ts';
import type { LintOptions } from '../commands/lint.ts';
import { lintFormatters } from '../formatters/lint/index.ts';
import { lintCounts } from '../formatters/lint/lint-formatter.ts';
import { filesToLint, groupByTsconfig, type LintInputs } from '../lint-inputs.ts';
import { countProgress } from '../progress.ts';
import { exitCodes, UsageError } from '../usage-error.ts';

function tsconfigOf(option: string | undefined): string | undefined {
  if (option === undefined) return undefined;
  if (!existsSync(option)) throw new UsageError(`--project ${option}: file not found`);
  return resolve(option);
}

function configOf(option: string | undefined): LintConfig | undefined {
  const path = option ?? (existsSync(defaultLintConfigFile) ? defaultLintConfigFile : undefined);
  if (path === undefined) return undefined;
  if (!existsSync(path)) throw new UsageError(`--config ${path}: file not found`);
  try {
    return readLintConfig(
      path,
      allRuleMeta.map((m) => m.code),
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Lints every file, each group with its tsconfig, behind a progress bar on a terminal. */
function lintAll(
  inputs: LintInputs,
  project: string | undefined,
  config: LintConfig | undefined,
  options: LintOptions,
): LintResult {
  const progress = countProgress({ quiet: options.quiet, total: inputs.files.length, label: 'lint', unit: 'files' });
  // Above the progress bar, whole: the stack of an analyser failure (reported as IDEM015) with --verbose.
  const onInternalError = (file: string, error: unknown) => {
    if (process.argv.includes('--verbose'))
      progress.log(`idemflow lint: ${file}:\n${error instanceof Error ? error.stack : String(error)}`);
  };
  try {
    const groups = groupByTsconfig(inputs.files, project);
    let done = 0;
    const parts = [...groups].map(([tsconfig, files]) => {
      const offset = done;
      done += files.length;
      const onFile = (n: number) => progress.update(offset + n);
      return lintProject(loadLintProject(files, tsconfig), files, {
        config,
        runner: options.runner,
        onFile,
        onInternalError,
      });
    });
    return {
      ...mergeLintResults(parts),
      tsconfigs: [...groups.keys()].filter((t) => t !== undefined),
      skippedTests: inputs.skippedTests,
    };
  } finally {
    progress.stop();
  }
}

export async function lintAction(paths: string[], options: LintOptions): Promise<void> {
  const project = tsconfigOf(options.project);
  const config = configOf(options.config);
  const inputs = await filesToLint(paths, {
    tsconfig: project ?? (existsSync('tsconfig.json') ? resolve('tsconfig.json') : undefined),
    since: options.since,
    includeTests: options.includeTests,
  });
  const result = lintAll(inputs, project, config, options);
  const text = lintFormatters[options.format](result);
  if (options.output) writeFileSync(options.output, `${text}\n`);
  else if (text !== '') process.stdout.write(`${text}\n`);
  const counts = lintCounts(result);
  const tooManyWarnings = options.maxWarnings !== undefined && counts.warning > options.maxWarnings;
  process.exitCode = counts.error > 0 || tooManyWarnings ? exitCodes.findings : exitCodes.ok;
  if (tooManyWarnings)
    process.stderr.write(
      `idemflow: lint: ${counts.warning} warnings, more than --max-warnings ${options.maxWarnings}\n`,
    );
}
