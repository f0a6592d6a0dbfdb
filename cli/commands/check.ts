import { Command, Option } from 'commander';
import { defaultRunner, runnerNames, type RunnerName } from '../../compiler/runner-catalogue.ts';
import { checkFormats, type CheckFormat } from '../formatters/names.ts';

export interface CheckOptions {
  readonly format: CheckFormat;
  readonly explain: boolean;
  readonly runner: RunnerName;
}

// What runs the check (the compiler, the pipelines' loader) loads only when it runs, not for --help.
export function checkCommand(): Command {
  return new Command('check')
    .description(
      'Prove, without running anything, whether pipelines stay correct under retries, replays and crashes; place each in the cheat sheet of Real Time Analytics with Spark Streaming and Cassandra.',
    )
    .argument('<files...>', 'pipeline files, folders or globs (e.g. "pipelines/**/*.ts")')
    .addOption(new Option('-f, --format <format>', 'output format').choices(checkFormats).default('pretty'))
    .option(
      '--explain',
      'show the cheat-sheet row, the verdict of Real Time Analytics with Spark Streaming and Cassandra, what was measured, and why the pipeline is in it',
      false,
    )
    .addOption(
      new Option(
        '--runner <name>',
        'also apply the rules of this runner (beam-*: functions must not capture variables)',
      )
        .choices([...runnerNames])
        .default(defaultRunner),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 no errors (warnings and notes allowed), 1 errors found, 2 usage error or a file that cannot be loaded.
A file that cannot be loaded (it throws, or exports no pipeline) is reported on
stderr and the other files are still checked; the exit code is then 2.

Examples:
  idemflow check pipelines/counts.ts --explain
  idemflow check "pipelines/**/*.ts" --format json      (quote globs: the shell's expansion also works)`,
    )
    .action(async (files: string[], options: CheckOptions) =>
      (await import('../actions/check.ts')).checkAction(files, options),
    );
}
