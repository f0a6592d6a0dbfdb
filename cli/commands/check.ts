import { Command, Option } from 'commander';
import { runnerNames, type RunnerName, type StrategyId } from '../../compiler/index.ts';
import { readResults, summarize } from '../../compiler/strategy/measurements.ts';
import { formatters } from '../formatters/index.ts';
import { loadAll } from '../load-pipelines.ts';
import { countBySeverity, reportOf } from '../report.ts';
import { exitCodes } from '../usage-error.ts';

export function checkCommand(): Command {
  return new Command('check')
    .description('Prove, without running anything, whether pipelines stay correct under retries, replays and crashes; place each in the seed\'s cheat sheet.')
    .argument('<files...>', 'pipeline files, folders or globs (e.g. "pipelines/**/*.ts")')
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(formatters)).default('pretty'))
    .option('--explain', 'show the cheat-sheet row, the seed\'s verdict and why the pipeline is in it', false)
    .addOption(new Option('--runner <name>', 'also apply the rules of this runner (beam-*: functions must not capture variables)').choices([...runnerNames]).default('local'))
    .addHelpText('after', `
Exit codes: 0 no errors (warnings and notes allowed), 1 errors found, 2 usage error or a file that cannot be loaded.

Examples:
  idemflow check pipelines/sensor-counts.ts --explain
  idemflow check "pipelines/strategies/*.ts" --format json`)
    .action(async (files: string[], options: { format: string; explain: boolean; runner: RunnerName }) => {
      const reports = (await loadAll(files)).map((p) => reportOf(p, options.runner));
      const format = formatters[options.format]!;
      const results = options.explain ? readResults() : undefined;
      const measured = (id: StrategyId) => {
        const entry = results?.strategies[id];
        return entry && results ? { row: summarize(entry), generatedAt: results.generatedAt, seeds: results.seeds } : undefined;
      };
      process.stdout.write(`${format(reports, { explain: options.explain, measured })}\n`);
      process.exitCode = countBySeverity(reports).error > 0 ? exitCodes.findings : exitCodes.ok;
    });
}
