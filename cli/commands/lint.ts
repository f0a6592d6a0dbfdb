import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { runnerNames, type RunnerName } from '../../compiler/index.ts';
import { defaultLintConfigFile, readLintConfig, type LintConfig } from '../../compiler/lint/lint-config.ts';
import { allRuleMeta, lintProject, loadLintProject, tsconfigFiles } from '../../compiler/lint/lint.ts';
import { changedFilesSince } from '../changed-files.ts';
import { lintFormatters } from '../formatters/lint/index.ts';
import { lintCounts } from '../formatters/lint/lint-formatter.ts';
import { resolveFiles } from '../load-pipelines.ts';
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
}

const lintable = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|cql)$/;
const isLintable = (f: string) => lintable.test(f) && !/\.d\.[cm]?ts$/.test(f) && !f.includes('/node_modules/');

function tsconfigOf(option: string | undefined): string | undefined {
  if (option !== undefined) {
    if (!existsSync(option)) throw new UsageError(`--project ${option}: file not found`);
    return resolve(option);
  }
  return existsSync('tsconfig.json') ? resolve('tsconfig.json') : undefined;
}

function configOf(option: string | undefined): LintConfig | undefined {
  const path = option ?? (existsSync(defaultLintConfigFile) ? defaultLintConfigFile : undefined);
  if (path === undefined) return undefined;
  if (!existsSync(path)) throw new UsageError(`--config ${path}: file not found`);
  try {
    return readLintConfig(path, allRuleMeta.map((m) => m.code));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The files to lint: those given (or the tsconfig's), narrowed to those changed since `since`. */
async function filesToLint(patterns: readonly string[], tsconfig: string | undefined, since: string | undefined): Promise<string[]> {
  const changed = since === undefined ? undefined : changedFilesSince(since);
  let files: string[];
  if (patterns.length > 0) files = (await resolveFiles(patterns)).map((f) => f.path);
  else if (changed) files = [...changed];
  else if (tsconfig) files = tsconfigFiles(tsconfig);
  else throw new UsageError('give files, folders or globs to lint (e.g. idemflow lint "src/**/*.ts"), or run where a tsconfig.json is');
  return files.filter((f) => isLintable(f) && (!changed || changed.has(f))).sort();
}

export function lintCommand(): Command {
  return new Command('lint')
    .description('Find replay-safety bugs by reading code, without running it: idemflow pipelines (every compiler rule) and plain cassandra-driver / kafkajs code (counter updates that may be resent, random or clock keys, offsets committed before the write).')
    .argument('[paths...]', 'files, folders or globs (default: the tsconfig\'s files, or with --since the changed files)')
    .option('--project <tsconfig>', 'tsconfig.json for compiler options and module resolution (default: ./tsconfig.json if present)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(lintFormatters)).default('pretty'))
    .option('--max-warnings <n>', 'fail (exit 1) when there are more warnings than this', parseInteger('--max-warnings', 0))
    .option('--since <git-ref>', 'lint only files changed since this ref (a PR\'s base, e.g. origin/main)')
    .option('--config <file>', `per-code severities, e.g. {"rules":{"IDEM006":"off"}} (default: ./${defaultLintConfigFile} if present)`)
    .option('-o, --output <file>', 'write the report to a file instead of stdout (e.g. for a SARIF upload)')
    .addOption(new Option('--runner <name>', 'also apply the rules of this runner').choices([...runnerNames]).default('local'))
    .option('-q, --quiet', 'no progress bar', false)
    .addHelpText('after', `
Suppress one finding with a comment on the line above, reason required:
  // idemflow-disable-next-line IDEM002 -- dashboard tolerates undercounts; nightly batch corrects

Exit codes: 0 clean (notes and warnings within --max-warnings), 1 errors or too many warnings, 2 usage error or crash.

Examples:
  idemflow lint "pipelines/**/*.ts"
  idemflow lint pipelines --format sarif --output idemflow.sarif
  idemflow lint --since origin/main --format github --max-warnings 0`)
    .action(async (paths: string[], options: LintOptions) => {
      const tsconfig = tsconfigOf(options.project);
      const config = configOf(options.config);
      const files = await filesToLint(paths, tsconfig, options.since);
      const progress = countProgress({ quiet: options.quiet, total: files.length, label: 'lint', unit: 'files' });
      const project = loadLintProject(files, tsconfig);
      const onInternalError = (file: string, error: unknown) => {
        if (process.argv.includes('--verbose')) process.stderr.write(`idemflow lint: ${file}:\n${error instanceof Error ? error.stack : String(error)}\n`);
      };
      const result = lintProject(project, files, { config, runner: options.runner, onFile: progress.update, onInternalError });
      progress.stop();
      const text = lintFormatters[options.format]!(result);
      if (options.output) writeFileSync(options.output, `${text}\n`);
      else if (text !== '') process.stdout.write(`${text}\n`);
      const counts = lintCounts(result);
      const tooManyWarnings = options.maxWarnings !== undefined && counts.warning > options.maxWarnings;
      process.exitCode = counts.error > 0 || tooManyWarnings ? exitCodes.findings : exitCodes.ok;
      if (tooManyWarnings) process.stderr.write(`idemflow: lint: ${counts.warning} warnings, more than --max-warnings ${options.maxWarnings}\n`);
    });
}
