import { Command } from 'commander';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { embeddedRepairTarget, repair, repairJob, type RepairResult } from '../../runners/local/index.ts';
import { lockRunFolders } from '../../runners/local/run-locks.ts';
import { cassandraOption, openCassandra } from '../cassandra-option.ts';
import { loadAll } from '../load-pipelines.ts';
import { progressDisplay } from '../progress.ts';
import { openStore, pickPipeline, pipelineOption, storeOption } from '../shared-options.ts';

function summary(name: string, result: RepairResult, dryRun: boolean): string {
  const verb = dryRun ? 'would correct' : 'corrected';
  const lines = [
    `repair of ${name} from ${result.systemOfRecord}: ${result.events} events, ${result.checked} rows checked, ${result.corrected} ${verb}, in ${(result.elapsedMs / 1000).toFixed(2)} s`,
  ];
  if (result.state)
    lines.push(
      `checkpoint state: ${result.state.entries} entries from the system of record, ${result.state.changed} ${dryRun ? 'would change' : 'changed'}`,
    );
  return `${lines.join('\n')}\n`;
}

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
    .action(
      async (
        file: string,
        flags: {
          pipeline?: string;
          store: string;
          checkpoint?: string;
          dryRun: boolean;
          quiet: boolean;
          cassandra?: string;
        },
      ) => {
        const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
        repairJob(pipeline.ir); // refuse before connecting to anything
        const display = progressDisplay({ quiet: flags.quiet, label: 'repair' });
        const client = await openCassandra(flags.cassandra, undefined, () => {});
        // The folders a repair writes, as a run holds them: a stream running on them refuses this repair, naming itself.
        let folders: ReturnType<typeof lockRunFolders> | undefined;
        try {
          folders = lockRunFolders(pipeline.ir, {
            checkpointDir: flags.checkpoint,
            storeDir: flags.store,
            dryRun: flags.dryRun,
            cassandra: client !== undefined,
          });
          const target = client
            ? cassandraRepairTarget(client, pipeline.ir)
            : embeddedRepairTarget(openStore(flags.store));
          const result = await repair(pipeline.ir, {
            target,
            dryRun: flags.dryRun,
            checkpointDir: flags.checkpoint,
            onProgress: (p) => display.update(p),
          });
          display.stop();
          process.stdout.write(summary(pipeline.name, result, flags.dryRun));
        } finally {
          display.stop();
          folders?.release();
          await client?.shutdown();
        }
      },
    );
}
