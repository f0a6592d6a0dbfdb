import type { Pipeline } from '../../dsl/index.ts';
import { describeFaults, diffPlan, parseFaults, type LocalRunResult } from '../../runners/local/index.ts';
import { isOfFamily, type LoadedRunner, type RunnerOf } from '../../runners/registry.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { openTargets } from '../../connectors/targets.ts';
import type { TargetConnector } from '../../runtime/target-connector.ts';
import { checkAllowed, checkBeforeRun } from '../check-before-run.ts';
import type { RunFlags } from '../commands/run.ts';
import { dryRunLookup } from '../dry-run-lookup.ts';
import { effectiveConfig } from '../effective-config.ts';
import { formatChanges } from '../formatters/changes.ts';
import { loadRunnerFor } from '../load-runner.ts';
import { loadAll } from '../load-pipelines.ts';
import { progressDisplay } from '../progress.ts';
import { runOnBeam } from '../run-on-beam.ts';
import { summary } from '../run-summary.ts';
import { openStore, pickPipeline } from '../shared-options.ts';
import { exitCodes, UsageError } from '../usage-error.ts';

export async function runAction(file: string, flags: RunFlags): Promise<void> {
  checkAllowed(flags.allow);
  const { pipeline, exportName } = pickPipeline(await loadAll([file]), flags.pipeline);
  if (flags.printConfig) {
    process.stdout.write(`${JSON.stringify({ pipeline: pipeline.name, ...effectiveConfig(flags) }, undefined, 2)}\n`);
    return;
  }
  const verdict = checkBeforeRun(pipeline.ir, flags.allow);
  for (const line of verdict.lines) process.stderr.write(`${line}\n`);
  if (verdict.refusal !== undefined) {
    process.stderr.write(`idemflow: ${verdict.refusal}\n`);
    process.exitCode = exitCodes.findings;
    return;
  }
  if (isOfFamily(flags.runner, 'beam')) return runOnBeam({ file, exportName }, pipeline.ir, flags.runner, flags);
  const flinkOnly = [
    [flags.flinkMaster !== undefined, '--flink-master'],
    [flags.environment !== 'loopback', '--environment'],
    [flags.workers !== undefined, '--workers'],
    [flags.parallelism !== undefined, '--parallelism'],
    [flags.streaming, '--streaming'],
    [flags.checkpointInterval !== undefined, '--checkpoint-interval'],
    [flags.restarts !== undefined, '--restarts'],
    [flags.restartDelay !== undefined, '--restart-delay'],
    [flags.windowGrace !== undefined, '--window-grace'],
  ] as const;
  const given = flinkOnly.filter(([set]) => set).map(([, name]) => name);
  if (given.length > 0)
    throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to --runner beam-flink`);
  const runner = await loadRunnerFor(flags.runner);
  const blockers = runner.unsupported(pipeline.ir);
  if (blockers.length > 0) throw new UsageError(`${file}: ${blockers.map((d) => d.message).join(' ')}`);
  const store = openStore(flags.store);
  // A dry-run reads Cassandra (to diff against it) but creates nothing: no schema statements.
  const targets = await openTargets(pipeline.ir, {
    cassandra: flags.cassandra,
    createSchema: !flags.dryRun,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  await runLocally(runner, pipeline, flags, store, targets);
}

/** The local runner, with its progress display and signal handling; prints the summary. */
async function runLocally(
  runner: LoadedRunner<RunnerOf<'micro-batch'>>,
  pipeline: Pipeline,
  flags: RunFlags,
  store: EmbeddedStore,
  targets: readonly TargetConnector[],
): Promise<void> {
  const faults = parseFaults(flags.faults);
  const total =
    pipeline.ir.source.connector === 'generator' || pipeline.ir.source.connector === 'memory'
      ? Number(pipeline.ir.source.options.count)
      : undefined;
  if (faults !== undefined && describeFaults(faults) !== 'none')
    process.stderr.write(`faults: ${describeFaults(faults)} (seed ${flags.seed})\n`);
  // Everything the run says from here goes through the display: above its bar on a terminal.
  const display = progressDisplay({ quiet: flags.quiet, total, label: pipeline.name });
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    display.log(`${signal}: finishing the batch in flight and writing a checkpoint (again to exit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let result: LocalRunResult;
  let changes: string | undefined;
  try {
    result = await runner.run(pipeline.ir, {
      store,
      checkpointDir: flags.checkpoint,
      state: flags.state,
      batchSize: flags.batchSize,
      batchIntervalMs: flags.batchInterval,
      untilIdleMs: flags.untilIdle,
      faults,
      seed: flags.seed,
      dryRun: flags.dryRun,
      signal: controller.signal,
      onProgress: display.update,
      log: display.log,
      targets,
      connectAttempts: flags.connectAttempts,
    });
    if (flags.dryRun)
      changes = formatChanges(
        diffPlan(result.plan ?? [], await dryRunLookup(pipeline.ir, result.plan ?? [], store, targets)),
      );
  } finally {
    display.stop();
    await Promise.all(targets.map((t) => t.close()));
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  printOutcome(result, changes, flags);
}

function printOutcome(result: LocalRunResult, changes: string | undefined, flags: RunFlags): void {
  if (changes !== undefined) process.stdout.write(`${changes}\n`);
  process.stdout.write(`${summary(result)}\n`);
  if (result.stopped === 'signal')
    process.stdout.write(
      `stopped by signal after batch ${result.batches}; run again with the same --checkpoint to resume\n`,
    );
  if (result.stopped === 'idle') process.stdout.write(`stopped: the source was idle for ${flags.untilIdle} ms\n`);
  process.exitCode = exitCodes.ok;
}
