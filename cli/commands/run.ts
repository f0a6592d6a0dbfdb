import { Command, Option } from 'commander';
import { describeFaults, diffPlan, parseFaults, runLocal, type LocalRunResult } from '../../runners/local/index.ts';
import { localRunner } from '../../runners/local/index.ts';
import { loadBeamRunner } from '../load-beam.ts';
import { summary } from '../run-summary.ts';
import { checkBeforeRun, parseAllow } from '../check-before-run.ts';
import { cassandraOption, openCassandra } from '../cassandra-option.ts';
import { effectiveConfig } from '../effective-config.ts';
import { loadAll } from '../load-pipelines.ts';
import { progressDisplay } from '../progress.ts';
import { formatChanges } from '../formatters/changes.ts';
import { dryRunLookup } from '../dry-run-lookup.ts';
import { openStore, parseInteger, pickPipeline, pipelineOption, storeOption } from '../shared-options.ts';
import { exitCodes, UsageError } from '../usage-error.ts';

interface RunFlags {
  pipeline?: string;
  store: string;
  checkpoint?: string;
  faults?: string;
  seed: number;
  dryRun: boolean;
  batchSize: number;
  batchInterval: number;
  untilIdle?: number;
  quiet: boolean;
  runner: string;
  cassandra?: string;
  printConfig: boolean;
  connectAttempts: number;
  flinkMaster?: string;
  allow: string[];
}

export function runCommand(): Command {
  return new Command('run')
    .description(
      "Run a pipeline: on the local runner (micro-batches, checkpoints, replay after a crash, fault injection, dry-run), or on Apache Beam (DirectRunner, or Flink through Beam's job server).",
    )
    .argument('<file>', 'pipeline file')
    .addOption(pipelineOption())
    .addOption(storeOption())
    .option('--checkpoint <dir>', 'folder for durable checkpoints; a restart resumes from the last one')
    .option('--faults <spec>', 'inject faults, e.g. "lost-ack=0.1,write-fail=0.05,crash-at=3,duplicate=0.01,loss=0.01"')
    .option('--seed <n>', 'seed of the fault schedule', parseInteger('--seed', 0), 1)
    .option('--dry-run', 'write nothing; print the writes it would make and how they differ from the store', false)
    .option('--batch-size <n>', 'records a micro-batch', parseInteger('--batch-size', 1), 1_000)
    .option(
      '--batch-interval <ms>',
      'streaming sources: close a batch this long after its first record',
      parseInteger('--batch-interval', 1),
      1_000,
    )
    .option(
      '--until-idle <ms>',
      'stop, with a checkpoint, once the source has sent nothing for this long',
      parseInteger('--until-idle', 0),
    )
    .option('-q, --quiet', 'no progress display (messages and the summary still print)', false)
    .addOption(
      new Option('--runner <name>', "where to run: local, Beam's DirectRunner, or Flink through Beam's job server")
        .choices(['local', 'beam-direct', 'beam-flink'])
        .default('local'),
    )
    .option(
      '--flink-master <host:port>',
      'beam-flink: the JobManager of a Flink cluster (default: an embedded Flink, [local])',
    )
    .addOption(cassandraOption())
    .option(
      '--connect-attempts <n>',
      'tries to reach a socket sender or Kafka broker before giving up (doubling backoff)',
      parseInteger('--connect-attempts', 1),
      10,
    )
    .option(
      '--allow <codes>',
      'run despite these error codes (comma-separated, e.g. IDEM001): errors otherwise refuse to run',
      parseAllow,
      [],
    )
    .option('--print-config', 'print the configuration this run would use (secrets redacted) and exit', false)
    .addHelpText(
      'after',
      `
Before it starts, run checks the pipeline as \`idemflow check\` does. Errors
refuse the run (exit 1) unless --allow names their codes; warnings are printed
once and the run goes on.

The pipeline's Cassandra sinks write to the embedded store (--store) when no
Cassandra is configured. SIGINT or SIGTERM finishes the batch in flight,
writes a checkpoint and exits 0; a second signal exits at once.

Beam runners (--runner beam-direct | beam-flink) run bounded sources (memory,
file, generator) and Kafka topics up to their end as one job; Beam's own output goes to a log file whose path
errors name. beam-flink starts Beam's Flink job server (fetched once from Maven
Central; needs Java 17) unless \`scripts/services up flink-job-server\` runs one.

Faults (deterministic for a --seed):
  write-fail=p   a sink write fails before it is applied
  lost-ack=p     a sink write lands but its acknowledgement is lost (the sink retries)
  crash-at=n     the process exits (code 137) in batch n; run again to resume (needs --checkpoint)
  crash-after-checkpoint=n
                 the process exits (code 137) once batch n's checkpoint is saved, before
                 Kafka's offsets are committed or the WAL is truncated (needs --checkpoint)
  crash-mid-append=n
                 the process exits (code 137) in the middle of the receiver's n-th WAL
                 append of the run: half written, not fsynced (needs --checkpoint)
  duplicate=p    the source delivers a record twice
  loss=p         a record is lost after the system of record, before aggregation

Examples:
  idemflow run pipelines/counts.ts --checkpoint .idemflow/ckpt
  idemflow run pipelines/counts.ts --checkpoint .idemflow/ckpt --faults lost-ack=0.2,crash-at=3 --seed 7
  idemflow run pipelines/counts.ts --dry-run
  idemflow run pipelines/counters.ts --allow IDEM001      (a counter under retries, knowingly)
  idemflow run pipelines/counts.ts --runner beam-flink
  idemflow demo                                           (no file needed: the anti-pattern against the design)`,
    )
    .action(async (file: string, flags: RunFlags) => {
      const { pipeline } = pickPipeline(await loadAll([file]), flags.pipeline);
      if (flags.printConfig) {
        process.stdout.write(
          `${JSON.stringify({ pipeline: pipeline.name, ...effectiveConfig(flags) }, undefined, 2)}\n`,
        );
        return;
      }
      const verdict = checkBeforeRun(pipeline.ir, flags.allow);
      for (const line of verdict.lines) process.stderr.write(`${line}\n`);
      if (verdict.refusal !== undefined) {
        process.stderr.write(`idemflow: ${verdict.refusal}\n`);
        process.exitCode = exitCodes.findings;
        return;
      }
      if (flags.runner !== 'local') {
        const runOnBeam = await loadBeamRunner(flags.runner);
        return runOnBeam(file, pipeline.ir, flags.runner as 'beam-direct' | 'beam-flink', flags);
      }
      if (flags.flinkMaster !== undefined) throw new UsageError('--flink-master applies to --runner beam-flink');
      const blockers = localRunner.unsupported(pipeline.ir);
      if (blockers.length > 0) throw new UsageError(`${file}: ${blockers.map((d) => d.message).join(' ')}`);
      const faults = parseFaults(flags.faults);
      const store = openStore(flags.store);
      // A dry-run reads Cassandra (to diff against it) but creates nothing: no schema statements.
      const cassandra = await openCassandra(flags.cassandra, flags.dryRun ? undefined : pipeline.ir, (l) =>
        process.stderr.write(`${l}\n`),
      );
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
        result = await runLocal(pipeline.ir, {
          store,
          checkpointDir: flags.checkpoint,
          batchSize: flags.batchSize,
          batchIntervalMs: flags.batchInterval,
          untilIdleMs: flags.untilIdle,
          faults,
          seed: flags.seed,
          dryRun: flags.dryRun,
          signal: controller.signal,
          onProgress: display.update,
          log: display.log,
          cassandra,
          connectAttempts: flags.connectAttempts,
        });
        if (flags.dryRun)
          changes = formatChanges(
            diffPlan(result.plan ?? [], await dryRunLookup(pipeline.ir, result.plan ?? [], store, cassandra)),
          );
      } finally {
        display.stop();
        await cassandra?.shutdown();
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      }
      if (changes !== undefined) process.stdout.write(`${changes}\n`);
      process.stdout.write(`${summary(result)}\n`);
      if (result.stopped === 'signal')
        process.stdout.write(
          `stopped by signal after batch ${result.batches}; run again with the same --checkpoint to resume\n`,
        );
      if (result.stopped === 'idle') process.stdout.write(`stopped: the source was idle for ${flags.untilIdle} ms\n`);
      process.exitCode = exitCodes.ok;
    });
}
