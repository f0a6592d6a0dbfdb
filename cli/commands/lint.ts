import { Command, Option } from 'commander';
import { defaultLintConfigFile } from '../../compiler/lint/lint-config-file.ts';
import { defaultRunner, runnerNames, type RunnerName } from '../../compiler/runner-catalogue.ts';
import { lintFormats, type LintFormat } from '../formatters/names.ts';
import { parseInteger } from '../shared-options.ts';

export interface LintOptions {
  project?: string;
  format: LintFormat;
  maxWarnings?: number;
  since?: string;
  config?: string;
  output?: string;
  runner: RunnerName;
  quiet: boolean;
  includeTests: boolean;
}

// The analyser (ts-morph, TypeScript) loads only when lint runs, not for --help.
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
    .addOption(new Option('-f, --format <format>', 'output format').choices(lintFormats).default('pretty'))
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
      new Option('--runner <name>', 'also apply the rules of this runner')
        .choices([...runnerNames])
        .default(defaultRunner),
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
    .action(async (paths: string[], options: LintOptions) =>
      (await import('../actions/lint.ts')).lintAction(paths, options),
    );
}
