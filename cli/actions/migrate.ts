import type { MigrateFlags } from '../commands/migrate.ts';
import { openTargets } from '../../connectors/targets.ts';
import { loadAll } from '../load-pipelines.ts';
import { pickPipeline } from '../shared-options.ts';
import { UsageError } from '../usage-error.ts';

/** `keyspace.table` as given to --from. */
function archiveTable(text: string): { keyspace: string; table: string } {
  const match = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(text);
  if (!match) throw new UsageError(`--from ${JSON.stringify(text)}: expected keyspace.table (letters, digits, _)`);
  return { keyspace: match[1]!, table: match[2]! };
}

export async function migrateAction(file: string, flags: MigrateFlags): Promise<void> {
  const from = archiveTable(flags.from);
  const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
  // The pipeline's tables made if missing, as a run makes them: the copy writes into its archive.
  const connectors = await openTargets(pipeline.ir, { cassandra: flags.cassandra, createSchema: true, log: () => {} });
  try {
    const cassandra = connectors.find((c) => c.target === 'cassandra');
    if (!cassandra?.migrateArchive)
      throw new UsageError(
        'migrate copies a Cassandra system of record: give --cassandra host:port (or IDEMFLOW_CASSANDRA)',
      );
    const started = performance.now();
    const progress =
      flags.quiet || !process.stderr.isTTY ? undefined : (n: number) => process.stderr.write(`\rmigrate: ${n} events`);
    const result = await cassandra.migrateArchive(pipeline.ir, from, progress);
    if (progress) process.stderr.write('\n');
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stdout.write(
      `migrate of ${pipeline.name}: ${result.events} events from ${flags.from} into ${result.into}, in ${seconds} s\n`,
    );
  } finally {
    await Promise.all(connectors.map((c) => c.close()));
  }
}
