import { Command, Option } from 'commander';
import { runnerNames, type RunnerName, type StrategyId } from '../../compiler/index.ts';
import { readResults, summarize } from '../../compiler/strategy/measurements.ts';
import { formatters } from '../formatters/index.ts';
import { loadPipelines, resolveFiles, type LoadedPipeline } from '../load-pipelines.ts';
import { countBySeverity, reportOf } from '../report.ts';
import { untrustedCodeNote } from '../ci-pull-request.ts';
import { exitCodes, LoadError, UsageError } from '../usage-error.ts';

/**
 * Loads every file; one that cannot be loaded (it throws, or exports no
 * pipeline: a helper module an unquoted shell glob picked up) is reported and
 * the others are still checked.
 */
async function loadEach(patterns: readonly string[]): Promise<{ loaded: LoadedPipeline[]; failures: LoadError[] }> {
  const loaded: LoadedPipeline[] = [];
  const failures: LoadError[] = [];
  for (const file of await resolveFiles(patterns)) {
    try {
      loaded.push(...(await loadPipelines(file.path, file.explicit)));
    } catch (error) {
      if (!(error instanceof LoadError)) throw error;
      failures.push(error);
    }
  }
  if (loaded.length === 0 && failures.length === 0) throw new UsageError(`no pipelines found in ${patterns.join(' ')}`);
  return { loaded, failures };
}

/** The one line for a file that could not be loaded; --verbose adds the stack of its cause. */
function reportLoadFailure(failure: LoadError): void {
  process.stderr.write(`idemflow: ${failure.message}\n`);
  if (process.argv.includes('--verbose')) {
    const cause = failure.cause instanceof Error ? failure.cause : failure;
    process.stderr.write(`${cause.stack ?? String(cause)}\n`);
  }
}

export function checkCommand(): Command {
  return new Command('check')
    .description(
      'Prove, without running anything, whether pipelines stay correct under retries, replays and crashes; place each in the cheat sheet of Real Time Analytics with Spark Streaming and Cassandra.',
    )
    .argument('<files...>', 'pipeline files, folders or globs (e.g. "pipelines/**/*.ts")')
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(formatters)).default('pretty'))
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
        .default('local'),
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
    .action(async (files: string[], options: { format: string; explain: boolean; runner: RunnerName }) => {
      // Before any pipeline module is loaded, that is before the code under review runs.
      const note = untrustedCodeNote();
      if (note !== undefined) process.stderr.write(`${note}\n`);
      const { loaded, failures } = await loadEach(files);
      const reports = loaded.map((p) => reportOf(p, options.runner));
      const format = formatters[options.format]!;
      const results = options.explain ? readResults() : undefined;
      const measured = (id: StrategyId) => {
        const entry = results?.strategies[id];
        return entry && results
          ? { row: summarize(entry), generatedAt: results.generatedAt, seeds: results.seeds }
          : undefined;
      };
      const unloaded = failures.map((f) => ({ file: f.file, message: f.reason }));
      if (reports.length > 0 || options.format === 'json')
        process.stdout.write(`${format(reports, { explain: options.explain, measured, unloaded })}\n`);
      for (const failure of failures) reportLoadFailure(failure);
      process.exitCode =
        failures.length > 0 ? exitCodes.usage : countBySeverity(reports).error > 0 ? exitCodes.findings : exitCodes.ok;
    });
}
