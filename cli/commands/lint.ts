import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { runnerNames, type RunnerName } from '../../compiler/index.ts';
import { defaultLintConfigFile, readLintConfig, type LintConfig } from '../../compiler/lint/lint-config.ts';
import { allRuleMeta, lintProject, loadLintProject, mergeLintResults } from '../../compiler/lint/lint.ts';
import { lintFormatters } from '../formatters/lint/index.ts';
import { lintCounts } from '../formatters/lint/lint-formatter.ts';
import { filesToLint, groupByTsconfig } from '../lint-inputs.ts';
import { countProgress } from '../progress.ts';
import { parseInteger } from '../shared-options.ts';
import { exitCodes, UsageError } from '../usage-error.ts';

interface LintOptions {
  project?: string;
  format: string;
  maxWarnings?: number;
  since?: string;
  config?: string;
  output?: string;
  runner: RunnerName;
  quiet: boolean;
  includeTests: boolean;
}

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

export function lintCommand(): Command {
  return new Command('lint')
    .description(
      'Find replay-safety bugs by reading code, without running it: idemflow pipelines (every compiler rule) and plain cassandra-driver / kafkajs code (counter updates that may be resent, random or clock keys, offsets committed before the write).',
    )
    .argument(
      '[paths...]',
      "files, folders or globs (default: the tsconfig's files, or with --since the changed files)",
    )
    .option(
      '--project <tsconfig>',
      "tsconfig.json for compiler options and module resolution of every file (default: each file's nearest tsconfig.json above it; the summary names the ones used)",
    )
    .option(
      '--include-tests',
      'also lint test and example files found in folders and globs (test/, tests/, __tests__/, spec/, examples/, fixtures/, *.test.*, *.spec.*); files named one by one always are',
      false,
    )
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(Object.keys(lintFormatters)).default('pretty'),
    )
    .option(
      '--max-warnings <n>',
      'fail (exit 1) when there are more warnings than this',
      parseInteger('--max-warnings', 0),
    )
    .option('--since <git-ref>', "lint only files changed since this ref (a PR's base, e.g. origin/main)")
    .option(
      '--config <file>',
      `per-code severities, e.g. {"rules":{"IDEM006":"off"}} (default: ./${defaultLintConfigFile} if present)`,
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout (e.g. for a SARIF upload)')
    .addOption(
      new Option('--runner <name>', 'also apply the rules of this runner').choices([...runnerNames]).default('local'),
    )
    .option('-q, --quiet', 'no progress bar', false)
    .addHelpText(
      'after',
      `
Suppress one finding with a comment on the line above, reason required:
  // idemflow-disable-next-line IDEM002 -- dashboard tolerates undercounts; nightly batch corrects

Exit codes: 0 clean (notes and warnings within --max-warnings), 1 errors or too many warnings, 2 usage error or crash.

Examples:
  idemflow lint "pipelines/**/*.ts"
  idemflow lint pipelines --format sarif --output idemflow.sarif
  idemflow lint --since origin/main --format github --max-warnings 0`,
    )
    .action(async (paths: string[], options: LintOptions) => {
      const project = tsconfigOf(options.project);
      const config = configOf(options.config);
      const inputs = await filesToLint(paths, {
        tsconfig: project ?? (existsSync('tsconfig.json') ? resolve('tsconfig.json') : undefined),
        since: options.since,
        includeTests: options.includeTests,
      });
      const progress = countProgress({
        quiet: options.quiet,
        total: inputs.files.length,
        label: 'lint',
        unit: 'files',
      });
      const onInternalError = (file: string, error: unknown) => {
        if (process.argv.includes('--verbose'))
          process.stderr.write(`idemflow lint: ${file}:\n${error instanceof Error ? error.stack : String(error)}\n`);
      };
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
      const result = {
        ...mergeLintResults(parts),
        tsconfigs: [...groups.keys()].filter((t) => t !== undefined),
        skippedTests: inputs.skippedTests,
      };
      progress.stop();
      const text = lintFormatters[options.format]!(result);
      if (options.output) writeFileSync(options.output, `${text}\n`);
      else if (text !== '') process.stdout.write(`${text}\n`);
      const counts = lintCounts(result);
      const tooManyWarnings = options.maxWarnings !== undefined && counts.warning > options.maxWarnings;
      process.exitCode = counts.error > 0 || tooManyWarnings ? exitCodes.findings : exitCodes.ok;
      if (tooManyWarnings)
        process.stderr.write(
          `idemflow: lint: ${counts.warning} warnings, more than --max-warnings ${options.maxWarnings}\n`,
        );
    });
}
