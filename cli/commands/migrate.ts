import { Command } from 'commander';
import { cassandraOption, pipelineOption } from '../shared-options.ts';

export interface MigrateFlags {
  readonly from: string;
  readonly pipeline?: string;
  readonly quiet: boolean;
  readonly cassandra?: string;
}

// The drivers load only when migrate runs, not for --help.
export function migrateCommand(): Command {
  return new Command('migrate')
    .description(
      "Copy a system of record (rows, text blocks or deflated blocks) into the table the pipeline archives into, in that table's layout: one archive that repair reads whole.",
    )
    .argument('<file>', 'pipeline file whose archive (its first .archive(...)) receives the events')
    .requiredOption('--from <keyspace.table>', 'the system-of-record table to copy from')
    .addOption(pipelineOption())
    .option('-q, --quiet', 'no progress line', false)
    .addHelpText(
      'after',
      `
Stop the pipeline, point its .archive(...) at the new table, migrate, then
start it: what it archives from then on is written after the copy and wins
over it, as it would have in the old table. Each id is copied once, in the
copy every reader keeps; a copy run again (after a kill) writes nothing twice
that a reader would count. A block of the old table that does not decode
stops the copy, naming it. Needs Cassandra (--cassandra or IDEMFLOW_CASSANDRA).`,
    )
    .addOption(cassandraOption())
    .action(async (file: string, flags: MigrateFlags) =>
      (await import('../actions/migrate.ts')).migrateAction(file, flags),
    );
}
