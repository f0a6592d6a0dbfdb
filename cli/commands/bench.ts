import { Command } from 'commander';
import { benchFaults } from '../../bench/faults.ts';
import { benchKafkaCassandra } from '../../bench/kafka-cassandra.ts';
import { benchLint } from '../../bench/lint.ts';
import { benchLintCorpus } from '../../bench/lint-corpus.ts';
import { benchLocal } from '../../bench/local.ts';
import { benchMemory } from '../../bench/memory.ts';
import { benchRunners } from '../../bench/runners.ts';
import { benchStrategies } from '../../bench/strategies.ts';
import { parseInteger } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

const sizeList = (value: string) => value.split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--sizes takes whole numbers, got "${s}"`);
  return n;
});

/** Benchmarks by name; each prints its table on stderr and its ratio line last on stdout. */
const benchmarks: Record<string, (o: { sizes?: number[]; beamSizes?: number[]; seeds?: number; only?: string[] }) => Promise<string>> = {
  faults: benchFaults,
  local: benchLocal,
  'kafka-cassandra': benchKafkaCassandra,
  lint: benchLint,
  'lint-corpus': benchLintCorpus,
  memory: benchMemory,
  runners: benchRunners,
  strategies: benchStrategies,
};

export function benchCommand(): Command {
  return new Command('bench')
    .description('Benchmarks, each against a baseline measured in the same run (see docs/benchmarks.md).')
    .argument('<name>', `which benchmark: ${Object.keys(benchmarks).join(', ')}`)
    .option('--sizes <list>', 'event counts, e.g. 10000,100000', sizeList)
    .option('--beam-sizes <list>', 'event counts at which Beam\'s DirectRunner also runs', sizeList)
    .option('--seeds <n>', 'strategies: fault schedules a row (default 10); faults: schedules in all (default 1000)', parseInteger('--seeds', 1))
    .option('--only <rows>', 'strategies: only these rows (comma-separated), keeping the others\' committed results', (v: string) => v.split(',').map((s) => s.trim()))
    .action(async (name: string, flags: { sizes?: number[]; beamSizes?: number[]; seeds?: number; only?: string[] }) => {
      const bench = benchmarks[name];
      if (!bench) throw new UsageError(`no benchmark "${name}" (known: ${Object.keys(benchmarks).join(', ')})`);
      process.stdout.write(`${await bench(flags)}\n`);
    });
}
