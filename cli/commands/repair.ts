import { Command } from 'commander';
import { cassandraOption, pipelineOption, storeOption } from '../shared-options.ts';

export interface RepairFlags {
  readonly pipeline?: string;
  readonly store: string;
  readonly checkpoint?: string;
  readonly dryRun: boolean;
  readonly quiet: boolean;
  readonly cassandra?: string;
}

// The repair job and the drivers load only when repair runs, not for --help.
export function repairCommand(): Command {
  return new Command('repair')
    .description(
      'The correcting batch job, derived from the pipeline: recompute every aggregate from the system of record and rewrite the rows that are wrong.',
    )
    .argument('<file>', 'pipeline file (it must archive to a system of record and write upserts)')
    .addOption(pipelineOption())
    .addOption(storeOption())
    .option(
      '--checkpoint <dir>',
      "the stream's checkpoint folder: its state is repaired too, so a resumed stream goes on from the repaired values (refused while the stream runs)",
    )
    .option('--dry-run', 'count what would be corrected, write nothing', false)
    .option('-q, --quiet', 'no progress bar', false)
    .addHelpText(
      'after',
      `
Refuses, with the compiler's diagnostic, a pipeline whose sink is a counter
(IDEM001: a counter cannot be repaired by rewriting) or that keeps no system
of record (IDEM006), or whose event time the archived record no longer yields
(IDEM014).

A stream run with --checkpoint keeps its aggregates in that folder and would
write them over the repaired rows when it resumes: give repair the same
--checkpoint. It is refused while the stream runs (stop it first), and after
a run that stopped mid-batch (resume it until it stops cleanly).`,
    )
    .addOption(cassandraOption())
    .action(async (file: string, flags: RepairFlags) =>
      (await import('../actions/repair.ts')).repairAction(file, flags),
    );
}
