import type { RepairFlags } from '../commands/repair.ts';
import { openTargets, runTargets } from '../../connectors/targets.ts';
import { repair, repairJob, type RepairResult } from '../../runners/local/index.ts';
import { lockRunFolders } from '../../runners/local/run-locks.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { loadAll } from '../load-pipelines.ts';
import { progressDisplay } from '../progress.ts';
import { openStore, pickPipeline } from '../shared-options.ts';

function refusedForBlock(problem: string): string {
  return (
    `repair refuses to write: ${problem}, so every total its events belong to would be written short. ` +
    'Nothing was written. Restore that block from a backup, or delete it if its events are archived again elsewhere, ' +
    'then repair again; `--dry-run` lists every such block and what the rest would correct'
  );
}

/** A reason cut to a line's worth: it may quote a whole event. */
const shortened = (reason: string) => (reason.length > 300 ? `${reason.slice(0, 300)}…` : reason);

function summary(name: string, result: RepairResult, dryRun: boolean): string {
  const verb = dryRun ? 'would correct' : 'corrected';
  const lines = [
    `repair of ${name} from ${result.systemOfRecord}: ${result.events} events, ${result.checked} rows checked, ${result.corrected} ${verb}, in ${(result.elapsedMs / 1000).toFixed(2)} s`,
  ];
  const { rejected } = result;
  // Said, not only counted: a repair that counts nothing of what it read would otherwise look like one that found nothing wrong.
  if (rejected.count > 0)
    lines.push(
      `${rejected.count} archived event${rejected.count === 1 ? ' was' : 's were'} rejected by the steps after the archive and not counted ` +
        `(first: ${shortened(rejected.first ?? '')}); the stream dead-lettered them too, unless the archive gave them back changed: a Date comes back as its ISO text`,
    );
  if (result.state)
    lines.push(
      `checkpoint state: ${result.state.entries} entries from the system of record, ${result.state.changed} ${dryRun ? 'would change' : 'changed'}`,
    );
  return `${lines.join('\n')}\n`;
}

export async function repairAction(file: string, flags: RepairFlags): Promise<void> {
  const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
  repairJob(pipeline.ir); // refuse before connecting to anything
  const display = progressDisplay({ quiet: flags.quiet, label: 'repair' });
  const connectors = await openTargets(pipeline.ir, { cassandra: flags.cassandra, createSchema: false, log: () => {} });
  // The folders a repair writes, as a run holds them: a stream running on them refuses this repair, naming itself.
  let folders: ReturnType<typeof lockRunFolders> | undefined;
  try {
    folders = lockRunFolders(pipeline.ir, {
      checkpointDir: flags.checkpoint,
      storeDir: flags.store,
      dryRun: flags.dryRun,
      cassandra: connectors.some((c) => c.target === 'cassandra'),
    });
    // A block of the system of record that fails to decode: a dry run names it, counts it and goes on; a repair
    // refuses before writing anything, since every total its events belong to would be written short.
    let badBlocks = 0;
    const onBadBlock = (error: Error) => {
      if (!flags.dryRun) throw new RunnerError(refusedForBlock(error.message));
      badBlocks++;
      process.stderr.write(`warning: ${error.message}; its events are not counted\n`);
    };
    const target = runTargets(openStore(flags.store), connectors).repairTarget(pipeline.ir, { onBadBlock });
    const result = await repair(pipeline.ir, {
      target,
      dryRun: flags.dryRun,
      checkpointDir: flags.checkpoint,
      onProgress: (p) => display.update(p),
    });
    display.stop();
    process.stdout.write(summary(pipeline.name, result, flags.dryRun));
    if (badBlocks > 0)
      process.stdout.write(
        `${badBlocks} block${badBlocks === 1 ? ' of the system of record failed to decode and was' : 's of the system of record failed to decode and were'} skipped (named above); a repair without --dry-run refuses until ${badBlocks === 1 ? 'it is' : 'they are'} restored or deleted\n`,
      );
  } finally {
    display.stop();
    folders?.release();
    await Promise.all(connectors.map((c) => c.close()));
  }
}
