import type { Command } from 'commander';

/**
 * Every command, by name, with the one line `idemflow --help` shows. A
 * command's module (and what it imports: the compiler, the runners, the
 * Cassandra and Kafka drivers, ts-morph) is loaded only when that command
 * runs, so `idemflow --help` and `--version` start in a fraction of the time.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'check',
    summary: 'prove, without running anything, whether pipelines stay correct under retries, replays and crashes',
    load: async () => (await import('./check.ts')).checkCommand(),
  },
  {
    name: 'lint',
    summary: 'find replay-safety bugs in pipelines and plain cassandra-driver / kafkajs code, without running it',
    load: async () => (await import('./lint.ts')).lintCommand(),
  },
  {
    name: 'graph',
    summary: "draw a pipeline's dataflow (mermaid or dot)",
    load: async () => (await import('./graph.ts')).graphCommand(),
  },
  {
    name: 'demo',
    summary: 'watch counters overcount and the idempotent design stay exact, with faults injected',
    load: async () => (await import('./demo.ts')).demoCommand(),
  },
  {
    name: 'bench',
    summary: 'benchmarks, each against a baseline measured in the same run',
    load: async () => (await import('./bench.ts')).benchCommand(),
  },
  {
    name: 'run',
    summary: 'check, then run a pipeline (local runner, or Apache Beam)',
    load: async () => (await import('./run.ts')).runCommand(),
  },
  {
    name: 'worker',
    summary: "serve Beam's worker pool: SDK workers for beam-flink apart from the submitting process",
    load: async () => (await import('./worker.ts')).workerCommand(),
  },
  {
    name: 'repair',
    summary: 'the correcting batch job: recompute from the system of record, rewrite wrong rows',
    load: async () => (await import('./repair.ts')).repairCommand(),
  },
  {
    name: 'migrate',
    summary: 'copy a system of record of any layout into the table the pipeline archives into',
    load: async () => (await import('./migrate.ts')).migrateCommand(),
  },
  {
    name: 'store',
    summary: 'look inside the embedded store (the local stand-in for Cassandra)',
    load: async () => (await import('./store.ts')).storeCommand(),
  },
  {
    name: 'schema',
    summary: 'print (or --apply) the CQL a pipeline needs',
    load: async () => (await import('./schema.ts')).schemaCommand(),
  },
  {
    name: 'produce',
    summary: 'load sample data into a Kafka topic',
    load: async () => (await import('./produce.ts')).produceCommand(),
  },
];
