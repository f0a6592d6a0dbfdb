import { Command } from 'commander';
import { cassandraOption, pipelineOption } from '../shared-options.ts';

export function schemaCommand(): Command {
  return new Command('schema')
    .description(
      'Print the CQL a pipeline needs (keyspaces, tables, counter, system-of-record and dead-letter tables); --apply creates them.',
    )
    .argument('<file>', 'pipeline file')
    .addOption(pipelineOption())
    .option('--apply', 'create them in Cassandra (IF NOT EXISTS)', false)
    .addOption(cassandraOption())
    .action(async (file: string, flags: { pipeline?: string; apply: boolean; cassandra?: string }) =>
      (await import('../actions/schema.ts')).schemaAction(file, flags),
    );
}
