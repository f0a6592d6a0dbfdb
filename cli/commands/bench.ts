import { Command } from 'commander';
import { benchSizes } from '../bench-sizes.ts';
import { parseInteger } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

type Benchmark = (o: { sizes?: number[]; beamSizes?: number[]; seeds?: number; only?: string[] }) => Promise<string>;

/**
 * Benchmarks by name; each prints its table on stderr and its ratio line last on stdout.
 * They measure this repository's code against its test servers, so they ship only in a
 * clone (not in the package): each loads when asked for, and a package says where to run it.
 */
const benchmarks: Record<string, () => Promise<Benchmark>> = {
  'cli-startup': async () => (await import('../../bench/cli-startup.ts')).benchCliStartup,
  faults: async () => (await import('../../bench/faults.ts')).benchFaults,
  'flink-cluster': async () => (await import('../../bench/flink-cluster.ts')).benchFlinkCluster,
  local: async () => (await import('../../bench/local.ts')).benchLocal,
  'kafka-cassandra': async () => (await import('../../bench/kafka-cassandra.ts')).benchKafkaCassandra,
  lint: async () => (await import('../../bench/lint.ts')).benchLint,
  'lint-corpus': async () => (await import('../../bench/lint-corpus.ts')).benchLintCorpus,
  memory: async () => (await import('../../bench/memory.ts')).benchMemory,
  runners: async () => (await import('../../bench/runners.ts')).benchRunners,
  sor: async () => (await import('../../bench/sor.ts')).benchSor,
  state: async () => (await import('../../bench/state.ts')).benchState,
  'state-stores': async () => (await import('../../bench/state-stores.ts')).benchStateStores,
  strategies: async () => (await import('../../bench/strategies.ts')).benchStrategies,
};

async function loadBenchmark(name: string): Promise<Benchmark> {
  const load = benchmarks[name];
  if (!load) throw new UsageError(`no benchmark "${name}" (known: ${Object.keys(benchmarks).join(', ')})`);
  try {
    return await load();
  } catch (error) {
    if (
      (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' ||
      !String((error as Error).message).includes('/bench/')
    )
      throw error;
    throw new UsageError(
      'benchmarks ship with the repository, not the package: run them from a clone (npm run bench -- <name>)',
    );
  }
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('Benchmarks, each against a baseline measured in the same run (see docs/benchmarks.md).')
    .argument('<name>', `which benchmark: ${Object.keys(benchmarks).join(', ')}`)
    .option('--sizes <list>', 'event counts, e.g. 10000,100000 (state: a second size of 0 leaves the 10⁷-key run out)')
    .option('--beam-sizes <list>', "event counts at which Beam's DirectRunner also runs")
    .option(
      '--seeds <n>',
      'strategies: fault schedules a row (default 10); faults: schedules in all (default 1000)',
      parseInteger('--seeds', 1),
    )
    .option(
      '--only <rows>',
      "strategies: only these rows (comma-separated), keeping the others' committed results; state: memory or disk",
      (v: string) => v.split(',').map((s) => s.trim()),
    )
    .action(async (name: string, flags: { sizes?: string; beamSizes?: string; seeds?: number; only?: string[] }) => {
      const bench = await loadBenchmark(name);
      // Checked once the benchmark is known: what a size of 0 means depends on it.
      const sizes = flags.sizes === undefined ? undefined : benchSizes(name, '--sizes', flags.sizes);
      const beamSizes = flags.beamSizes === undefined ? undefined : benchSizes(name, '--beam-sizes', flags.beamSizes);
      process.stdout.write(`${await bench({ ...flags, sizes, beamSizes })}\n`);
    });
}
