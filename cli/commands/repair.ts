import { Command } from 'commander';
import { repair } from '../../runners/local/index.ts';
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
    .action(async (file: string, flags: { pipeline?: string; store: string; dryRun: boolean; quiet: boolean }) => {
      const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
      let display: ReturnType<typeof progressDisplay> | undefined;
      const result = await repair(pipeline.ir, {
        store: openStore(flags.store),
        dryRun: flags.dryRun,
        onProgress: (p, total) => {
          display ??= progressDisplay({ quiet: flags.quiet, total, label: 'repair' });
          display.update(p);
        },
      });
      display?.stop();
      const verb = flags.dryRun ? 'would correct' : 'corrected';
      process.stdout.write(`repair of ${pipeline.name} from ${result.systemOfRecord}: ${result.events} events, ${result.checked} rows checked, ${result.corrected} ${verb}, in ${(result.elapsedMs / 1000).toFixed(2)} s\n`);
    });
}
