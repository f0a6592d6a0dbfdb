import { Command } from 'commander';
import { cassandraRepairTarget } from '../../connectors/cassandra/repair-target.ts';
import { embeddedRepairTarget, repair, repairPipeline } from '../../runners/local/index.ts';
import { cassandraOption, openCassandra } from '../cassandra-option.ts';
import { loadAll } from '../load-pipelines.ts';
import { progressDisplay } from '../progress.ts';
import { openStore, pickPipeline, pipelineOption, storeOption } from '../shared-options.ts';

export function repairCommand(): Command {
  return new Command('repair')
    .description('The correcting batch job, derived from the pipeline: recompute every aggregate from the system of record and rewrite the rows that are wrong.')
    .argument('<file>', 'pipeline file (it must archive to a system of record and write upserts)')
    .addOption(pipelineOption())
    .addOption(storeOption())
    .option('--dry-run', 'count what would be corrected, write nothing', false)
    .option('-q, --quiet', 'no progress bar', false)
    .addHelpText('after', `
Refuses, with the compiler's diagnostic, a pipeline whose sink is a counter
(IDEM001: a counter cannot be repaired by rewriting) or that keeps no system
of record (IDEM006).`)
    .addOption(cassandraOption())
    .action(async (file: string, flags: { pipeline?: string; store: string; dryRun: boolean; quiet: boolean; cassandra?: string }) => {
      const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
      repairPipeline(pipeline.ir, []); // refuse before connecting to anything
      let display: ReturnType<typeof progressDisplay> | undefined;
      const client = await openCassandra(flags.cassandra, undefined, () => {});
      const target = client ? cassandraRepairTarget(client, pipeline.ir) : embeddedRepairTarget(openStore(flags.store));
      const result = await repair(pipeline.ir, {
        target,
        dryRun: flags.dryRun,
        onProgress: (p, total) => {
          display ??= progressDisplay({ quiet: flags.quiet, total, label: 'repair' });
          display.update(p);
        },
      });
      display?.stop();
      await client?.shutdown();
      const verb = flags.dryRun ? 'would correct' : 'corrected';
      process.stdout.write(`repair of ${pipeline.name} from ${result.systemOfRecord}: ${result.events} events, ${result.checked} rows checked, ${result.corrected} ${verb}, in ${(result.elapsedMs / 1000).toFixed(2)} s\n`);
    });
}
