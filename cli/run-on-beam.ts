import { resolve } from 'node:path';
import { runRules, type PipelineNode } from '../compiler/index.ts';
import { rules } from '../compiler/rules/index.ts';
import type { RunnerOf } from '../runners/registry.ts';
import { parseFaults, type FaultSpec } from '../runtime/faults.ts';
import { openTargets } from '../connectors/targets.ts';
import { loadRunnerFor } from './load-runner.ts';
import type { StreamingOptions } from '../runners/beam/beam-runner.ts';
import type { ExternalWorkers } from '../runners/beam/external-run.ts';
import { summary } from './run-summary.ts';
import { openStore } from './shared-options.ts';
import { exitCodes, UsageError } from './usage-error.ts';

export interface BeamRunFlags {
  readonly store: string;
  readonly checkpoint?: string;
  readonly faults?: string;
  readonly seed: number;
  readonly dryRun: boolean;
  readonly untilIdle?: number;
  readonly state?: { readonly kind: string };
  readonly quiet: boolean;
  readonly cassandra?: string;
  readonly flinkMaster?: string;
  readonly environment: 'loopback' | 'external';
  readonly workers?: readonly string[];
  readonly parallelism?: number;
  readonly streaming: boolean;
  readonly checkpointInterval?: number;
  readonly restarts?: number;
  readonly restartDelay?: number;
  readonly windowGrace?: number;
  readonly allow: readonly string[];
}

/**
 * Under a minute, Flink's watermark can pass a window while its records are still in the TypeScript stage (measured
 * with no grace: a 20-minute replay lost 2 or 3 of a window's 12 records); allowed, as state costs, but said.
 */
const shortWindowGraceMs = 60_000;
const shortGraceWarning = (ms: number) =>
  `warning: --window-grace ${ms}: Flink drops a record that reaches its window more than ${ms} ms of event time after ` +
  `the watermark passed it, and a replay or a job catching up after a restart runs that far ahead: on-time records ` +
  `can be lost unseen. Keep it at a minute or more unless the topic is read in real time (docs/runners.md, "How long Flink keeps a window")\n`;

/** `--streaming`: the job runs until Ctrl-C (SIGINT) or SIGTERM, which cancel it; checked before anything starts. */
function streamingOf(engine: 'direct' | 'flink', flags: BeamRunFlags): StreamingOptions | undefined {
  if (!flags.streaming) {
    const given = (
      [
        [flags.checkpointInterval, '--checkpoint-interval'],
        [flags.restarts, '--restarts'],
        [flags.restartDelay, '--restart-delay'],
        [flags.windowGrace, '--window-grace'],
      ] as const
    ).filter(([value]) => value !== undefined);
    if (given.length > 0) throw new UsageError(`${given.map(([, name]) => name).join(', ')}: with --streaming`);
    return undefined;
  }
  if (engine !== 'flink') throw new UsageError('--streaming: with --runner beam-flink');
  if (flags.windowGrace !== undefined && flags.windowGrace < shortWindowGraceMs)
    process.stderr.write(shortGraceWarning(flags.windowGrace));
  const stop = new AbortController();
  let signals = 0;
  // Cancelling takes a while (up to a minute on a cluster): said, and a second signal exits at once (the job server
  // the run started is stopped on the way out, but a job not cancelled yet goes on running on the cluster).
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      process.stderr.write(`${signal} again: exiting now; a job not cancelled yet goes on running on the cluster\n`);
      process.exit(130); // as the local runner: 128 + SIGINT
    }
    process.stderr.write(`${signal}: cancelling the streaming job (again to exit at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    checkpointIntervalMs: flags.checkpointInterval,
    restarts: flags.restarts,
    restartDelayMs: flags.restartDelay,
    windowGraceMs: flags.windowGrace,
  };
}

/** `--environment external --workers …` and `--parallelism`: checked before the input is read. */
function externalWorkers(
  engine: 'direct' | 'flink',
  flags: BeamRunFlags,
  module: { file: string; exportName: string },
): ExternalWorkers | undefined {
  if (flags.parallelism !== undefined && engine !== 'flink')
    throw new UsageError('--parallelism: with --runner beam-flink (the DirectRunner runs one worker)');
  if (flags.environment === 'loopback') {
    if (flags.workers) throw new UsageError('--workers: with --environment external');
    return undefined;
  }
  if (engine !== 'flink') throw new UsageError('--environment external: with --runner beam-flink');
  if (!flags.workers) throw new UsageError('--environment external needs --workers host:port,… (idemflow worker)');
  return { workers: flags.workers, module: resolve(module.file), exportName: module.exportName };
}

/** Local-runner options that mean nothing for one Beam job over a bounded input: refused, not ignored. Returns the faults Beam injects. */
function refuseLocalOnly(flags: BeamRunFlags): FaultSpec {
  const localOnly: [boolean, string][] = [
    [flags.checkpoint !== undefined, '--checkpoint'],
    [flags.dryRun, '--dry-run'],
    [flags.untilIdle !== undefined, '--until-idle'],
    [flags.state?.kind === 'disk', '--state disk'],
  ];
  const given = localOnly.filter(([set]) => set).map(([, name]) => name);
  if (given.length > 0)
    throw new UsageError(
      `${given.join(', ')}: local runner only (Beam runs a bounded input as one job, with no checkpoints to resume from)`,
    );
  const faults = parseFaults(flags.faults);
  if (faults.crashAt.length > 0 || faults.duplicate > 0 || faults.loss > 0) {
    throw new UsageError(
      "--faults on Beam: only write-fail and lost-ack (sink writes); crash-at, duplicate and loss are the local runner's",
    );
  }
  return faults;
}

/**
 * `idemflow run --runner beam-direct|beam-flink`: the pipeline's runner
 * rules first (a function capturing a module variable is refused, IDEM009),
 * then one Beam job; its sinks write where the local runner's would.
 */
export async function runOnBeam(
  module: { file: string; exportName: string },
  pipeline: PipelineNode,
  runner: RunnerOf<'beam'>,
  flags: BeamRunFlags,
): Promise<void> {
  const { file } = module;
  // First, as before any check: without apache-beam installed, that is all there is to say.
  const chosen = await loadRunnerFor(runner);
  const faults = refuseLocalOnly(flags);
  const external = externalWorkers(chosen.engine, flags, module);
  const streaming = streamingOf(chosen.engine, flags);
  // The rules this runner adds: those asking for a capability it has (a local check ran the rest); --allow as for the others.
  const runnerRules = rules.filter((r) => r.meta.onlyWhen !== undefined);
  const errors = runRules(pipeline, runnerRules, runner).filter(
    (d) => d.severity === 'error' && !flags.allow.includes(d.code),
  );
  if (errors.length > 0) {
    throw new UsageError(
      `${file}: cannot run on ${runner}: ${errors.map((d) => `${d.code} ${d.message}${d.location ? ` (line ${d.location.line})` : ''}`).join(' ')}`,
    );
  }
  const blockers = chosen.unsupported(pipeline);
  if (blockers.length > 0) throw new UsageError(`${file}: ${blockers.map((d) => `${d.message} ${d.fix}`).join(' ')}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const targets = await openTargets(pipeline, { cassandra: flags.cassandra, createSchema: true, log });
  try {
    log(
      `${pipeline.name}: running on ${runner}${chosen.engine === 'flink' ? ` (Flink master ${flags.flinkMaster ?? '[local]'})` : ''}`,
    );
    const result = await chosen.run(pipeline, {
      store: openStore(flags.store),
      targets,
      faults,
      seed: flags.seed,
      flinkMaster: flags.flinkMaster,
      external,
      parallelism: flags.parallelism,
      streaming,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    // Stopped before its job was submitted, a streaming run has said so; a summary of nothing read would mislead.
    if (result.submitted === false) return;
    process.stdout.write(`${summary(result, runner)}\n  Beam's log: ${result.logFile}\n`);
    for (const [worker, { records, started }] of result.workers ?? [])
      process.stdout.write(
        `  worker ${worker}: ${records.toLocaleString('en-US')} records${started === undefined ? '' : `, ${started} SDK workers started`}\n`,
      );
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
  process.exitCode = exitCodes.ok;
}
