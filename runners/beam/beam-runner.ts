import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import { createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { format } from 'node:util';
import { directRunner } from 'apache-beam/runners/direct_runner';
import { PortableRunner } from 'apache-beam/runners/portable_runner/runner';
import type { Diagnostic, PipelineNode } from '../../compiler/index.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import type { Runner, RunResult } from '../runner.ts';
import type { MemorySinkContents } from '../../runtime/sinks/sink-writer.ts';
import { runTargets } from '../../connectors/targets.ts';
import { readBoundedInput } from './bounded-input.ts';
import { flinkJobServerFor, type JobServer } from './flink-job-server.ts';
import { watchFlinkJob, type FlinkJobWatch } from './flink-job-watch.ts';
import { isFlinkAddress } from './flink-master.ts';
import { fixBeamSdk } from './sdk-fixes.ts';
import { checkWorkers, ExternalWorkersRunner } from './external-environment.ts';
import { externalPlacement, type ExternalWorkers } from './external-run.ts';
import { BeamRunContext, beamRuns, type BeamRunOptions } from './run-context.ts';
import { untilStopped } from './streaming-job.ts';
import { translate, type Placement } from './translate.ts';
import { awaitWritesBeforeBundleEnds } from './worker-pool.ts';
import { startWorkerFront } from './worker-front.ts';
import { askTotals, sumTotals, type WorkerTotals } from './worker-report.ts';

/** Where a Beam job runs: Beam's DirectRunner in this process, or Flink through Beam's job server. */
export type BeamEngine = 'direct' | 'flink';

export interface BeamRunnerOptions extends BeamRunOptions {
  /** beam-flink: the Flink master (`host:port` of a cluster's JobManager); default `[local]`, an embedded Flink. */
  readonly flinkMaster?: string;
  /** Where Beam's own output goes (it is chatty); default a file under the temp folder. */
  readonly logFile?: string;
  /** beam-flink: the SDK workers in `idemflow worker`s (Beam's EXTERNAL environment); default LOOPBACK, in this process. */
  readonly external?: ExternalWorkers;
  /** beam-flink: the job's parallelism (Flink's default when unset). */
  readonly parallelism?: number;
  /** beam-flink, a Kafka source: read the topic unbounded, as a streaming job, until `stop` (see StreamingOptions). */
  readonly streaming?: StreamingOptions;
}

/**
 * A streaming job on Flink: the Kafka topic read unbounded, checkpoints on, the group's offsets committed
 * when a checkpoint completes. It runs until `stop` is aborted (then it is cancelled) or it fails.
 */
export interface StreamingOptions {
  readonly stop: AbortSignal;
  /** Flink's checkpoint interval; default 5,000 ms. Offsets are committed no more often than this. */
  readonly checkpointIntervalMs?: number;
  /** How many times Flink restarts the job from its last checkpoint after a failure before the job fails; default 5. */
  readonly restarts?: number;
  /** How long Flink waits before each restart; default 10,000 ms. */
  readonly restartDelayMs?: number;
  /** How long Flink keeps a window beyond its allowed lateness, in watermark time; default an hour (window-strategy.ts). */
  readonly windowGraceMs?: number;
}

/** How often a streaming job checkpoints when not told: offsets reach Kafka within about this long. */
export const defaultCheckpointIntervalMs = 5_000;

/**
 * Flink's restart strategy for a streaming job (fixed delay), when not told: a TaskManager or an SDK worker lost
 * is ridden out from the last checkpoint, and a job that fails for good (a worker that never comes back) fails
 * after about a minute, with its cause, rather than restarting forever.
 */
export const defaultRestarts = 5;
export const defaultRestartDelayMs = 10_000;

/** The pipeline options of a streaming job: checkpoints on, and a restart strategy (Beam's FlinkPipelineOptions). */
function streamingPipelineOptions(streaming: StreamingOptions) {
  return {
    checkpointingInterval: streaming.checkpointIntervalMs ?? defaultCheckpointIntervalMs,
    numberOfExecutionRetries: streaming.restarts ?? defaultRestarts,
    executionRetryDelay: streaming.restartDelayMs ?? defaultRestartDelayMs,
  };
}

/** What one `idemflow worker` reported of a run (`--environment external`). */
export interface WorkerShare {
  /** Records its steps ran. */
  readonly records: number;
  /** With several workers (through the front): how many SDK workers it was asked to start. */
  readonly started?: number;
}

export interface BeamRunResult extends RunResult {
  readonly memory: MemorySinkContents;
  readonly logFile: string;
  /** `--environment external`: each worker's share, by address (dead letters and rows are in the totals above). */
  readonly workers?: ReadonlyMap<string, WorkerShare>;
  /** False: a streaming run stopped before its job was submitted (it said so); nothing ran. */
  readonly submitted?: boolean;
}

/** Sources Beam reads here: bounded ones, and a Kafka topic up to its end at the start of the run. */
const readable = new Set(['memory', 'file', 'generator', 'cassandra-table', 'kafka']);

/**
 * Beam's SDK writes progress and gRPC chatter to the console; during a run
 * it goes to a log file instead, whose path errors name.
 */
async function withConsoleTo<T>(file: string, body: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a' });
  const methods = ['log', 'info', 'debug', 'warn', 'error'] as const;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- Node binds console's methods to console; they are put back as they were
  const saved = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args: unknown[]) => void stream.write(`${format(...args)}\n`);
  try {
    return await body();
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
    await new Promise<void>((resolve) => stream.end(resolve));
  }
}

/** Where Beam's output goes unless the caller says: a file a run under the temp folder. */
const defaultLogFile = (pipeline: PipelineNode, runner: string) =>
  join(
    tmpdir(),
    'idemflow-beam',
    `${pipeline.name.replace(/[^\w.-]+/g, '_')}-${runner}-${process.pid}-${Date.now()}.log`,
  );

/** A Beam runner: a Runner whose results also carry the memory sinks and Beam's log. */
export interface BeamRunner extends Runner<BeamRunnerOptions, BeamRunResult> {
  readonly engine: BeamEngine;
}

/** A Beam runner named `name` (as `runners/registry.ts` registers it) on the engine. */
export function beamRunner(name: string, engine: BeamEngine): BeamRunner {
  return {
    name,
    engine,
    unsupported(pipeline): Diagnostic[] {
      const source = pipeline.source;
      if (readable.has(source.connector)) return [];
      return [
        {
          code: 'RUNNER',
          rule: 'beam-runner-source',
          severity: 'error',
          messageId: 'source',
          message: `The ${name} runner reads bounded sources (memory, file, generator, cassandraTable) and Kafka topics up to their end; a ${source.connector} source is an endless stream.`,
          fix: 'Run it on the local runner, or record the stream to a file and run that on Beam.',
          location: source.location,
        },
      ];
    },
    async run(pipeline, options) {
      const started = performance.now();
      fixBeamSdk();
      const blockers = this.unsupported(pipeline);
      if (blockers.length > 0) throw new RunnerError(blockers.map((d) => d.message).join(' '));
      const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
      const targets = runTargets(options.store, options.targets);
      if (options.streaming) return runStreaming({ name, engine }, pipeline, options, targets, log, started);
      const input = await readBoundedInput(pipeline, { targets, log });
      try {
        const context = new BeamRunContext(pipeline, options, targets, await targets.archiveIdChecks(pipeline), {
          values: input.values,
          positions: (i) => input.position(i),
        });
        const logFile = options.logFile ?? defaultLogFile(pipeline, name);
        const apart = await runJob({ name, engine }, pipeline, context, logFile, options, log);
        await context.drain();
        await input.acknowledged();
        return resultOf(context, apart, { batches: 1, recordsIn: input.values.length, started, logFile });
      } finally {
        await input.close();
      }
    },
  };
}

/**
 * A Kafka pipeline as a streaming job on Flink (`options.streaming`): nothing is read here, the job reads
 * the topic itself; the run ends when `stop` is aborted (the job is cancelled) or the job fails.
 */
async function runStreaming(
  runner: Pick<BeamRunner, 'name' | 'engine'>,
  pipeline: PipelineNode,
  options: BeamRunnerOptions,
  targets: ReturnType<typeof runTargets>,
  log: (line: string) => void,
  started: number,
): Promise<BeamRunResult> {
  if (runner.engine !== 'flink' || pipeline.source.connector !== 'kafka')
    throw new RunnerError(
      `streaming: a Kafka source on beam-flink only (this is a ${pipeline.source.connector} source on ${runner.name})`,
    );
  const context = new BeamRunContext(pipeline, options, targets, await targets.archiveIdChecks(pipeline));
  // Flink completes a checkpoint, and commits the offsets it covers, only once the bundles before it are done:
  // a bundle is done once its writes landed.
  context.drainEachBundle = true;
  awaitWritesBeforeBundleEnds(false);
  const logFile = options.logFile ?? defaultLogFile(pipeline, runner.name);
  const apart = await runJob(runner, pipeline, context, logFile, options, log);
  await context.drain();
  return resultOf(context, apart, { batches: 0, started, logFile });
}

/**
 * A run's result from what it counted: in this process, or apart, the workers' totals (as LOOPBACK counts them in
 * this process). A bounded run's records are its input's; a streaming run's, those its steps ran.
 */
function resultOf(
  context: BeamRunContext,
  ran: ApartReport | undefined | typeof notSubmitted,
  run: { batches: number; recordsIn?: number; started: number; logFile: string },
): BeamRunResult {
  const apart = ran === notSubmitted ? undefined : ran;
  const counted = apart
    ? sumTotals(apart.totals.values())
    : { ...context.totals, rowsWritten: { ...context.rowsWritten } };
  return {
    pipeline: context.pipeline.name,
    batches: run.batches,
    recordsIn: run.recordsIn ?? counted.records,
    deadLetters: counted.deadLetters,
    late: counted.late,
    rowsWritten: counted.rowsWritten,
    abandonedWrites: counted.abandoned,
    replays: context.restartsOnCluster,
    elapsedMs: performance.now() - run.started,
    memory: context.memory,
    logFile: run.logFile,
    workers: apart && sharesOf(apart),
    ...(ran === notSubmitted ? { submitted: false } : {}),
  };
}

type PortableOptions = ConstructorParameters<typeof PortableRunner>[0] & object;

/** What the external workers reported of a run: their totals, and how many SDK workers each started (with a front). */
interface ApartReport {
  readonly totals: ReadonlyMap<string, WorkerTotals>;
  readonly started?: ReadonlyMap<string, number>;
}

const sharesOf = ({ totals, started }: ApartReport): ReadonlyMap<string, WorkerShare> =>
  new Map([...totals].map(([worker, t]) => [worker, { records: t.records, started: started?.get(worker) }]));

/**
 * Each worker's totals of the run. The job has succeeded by now: a worker that cannot be asked does not fail
 * it, but the summary's counts then lack its share, which is said.
 */
async function reportsOf(
  workers: readonly string[],
  runId: string,
  log: (line: string) => void,
): Promise<Map<string, WorkerTotals>> {
  const reports = await Promise.all(
    workers.map((w) =>
      askTotals(w, runId).then(
        (totals) => [w, totals] as const,
        (error: Error) => {
          log(`${error.message}; the summary's dead letters and rows written lack its share`);
          return undefined;
        },
      ),
    ),
  );
  return new Map(reports.filter((r) => r !== undefined));
}

/** Where the job's SDK workers are: a LOOPBACK pool in this process, or `idemflow worker`s (checked first). */
async function placeWorkers(
  context: BeamRunContext,
  runId: string,
  options: BeamRunnerOptions,
  log: (line: string) => void,
): Promise<{
  placement: Placement;
  runner?: (base: PortableOptions) => PortableRunner;
  stop(): Promise<void>;
  /** After the job: what each worker counted. */
  report?: () => Promise<ApartReport>;
}> {
  const { external } = options;
  if (!external) return { placement: { spread: false }, stop: async () => {} };
  const { job, placement, stop: stopInput } = await externalPlacement(context, runId, external, options.faults);
  try {
    await checkWorkers(external.workers, job);
  } catch (error) {
    await stopInput();
    throw error;
  }
  const front = external.workers.length > 1 ? await startWorkerFront(external.workers) : undefined;
  const address = front?.address ?? external.workers[0]!;
  return {
    placement,
    // One SDK worker a TaskManager (Beam's default sdk_worker_parallelism): every subtask on a TaskManager
    // shares it, and with the cluster's slots spread evenly (cluster.evenly-spread-out-slots) and the front
    // handing each TaskManager's StartWorker to the next worker, each worker serves one TaskManager's subtasks.
    runner: (base) => new ExternalWorkersRunner(base, address, job),
    stop: async () => {
      await front?.stop();
      await stopInput();
    },
    report: async () => ({ totals: await reportsOf(external.workers, runId, log), started: front?.started }),
  };
}

/** What `runJob` returns for a streaming run stopped before its job was submitted. */
const notSubmitted = Symbol('not submitted');

/** Submits the job to Beam (the DirectRunner, or Flink's job server) and waits for it to end. */
async function runJob(
  { name, engine }: Pick<BeamRunner, 'name' | 'engine'>,
  pipeline: PipelineNode,
  context: BeamRunContext,
  logFile: string,
  options: BeamRunnerOptions,
  log: (line: string) => void,
): Promise<ApartReport | undefined | typeof notSubmitted> {
  const runId = beamRuns.open(context);
  let failed = false;
  let workers: Awaited<ReturnType<typeof placeWorkers>> | undefined;
  let jobServer: JobServer | undefined;
  let watch: FlinkJobWatch | undefined;
  let submitting = false;
  try {
    if (options.external && engine !== 'flink')
      throw new RunnerError(`--environment external: ${name} runs its workers in this process; use beam-flink`);
    workers = await placeWorkers(context, runId, options, log);
    const { streaming } = options;
    jobServer =
      engine === 'flink'
        ? await flinkJobServerFor(options.flinkMaster ?? '[local]', log, undefined, { kafkaRead: !!streaming })
        : undefined;
    // A streaming read is spread over the job's subtasks by Kafka's partitions already; a grouping to spread it
    // (as a bounded input on external workers is) would wait, in the global window of an unbounded read, forever.
    const placement = streaming
      ? {
          ...workers.placement,
          spread: false,
          kafkaExpansion: jobServer?.expansion,
          windowGraceMs: streaming.windowGraceMs,
        }
      : workers.placement;
    if (await stoppedBeforeSubmitting(options, pipeline, log)) return notSubmitted;
    // Unique on the cluster: the watch finds the job by its name.
    const jobName = `${pipeline.name}-${runId}`;
    if (engine === 'flink' && options.flinkMaster && isFlinkAddress(options.flinkMaster))
      watch = watchFlinkJob(options.flinkMaster, jobName, log);
    const cancelOnCluster = watch && (() => watch!.cancel());
    const job = { runId, jobName, context, placement, server: jobServer, external: workers.runner, cancelOnCluster };
    submitting = true;
    await withConsoleTo(logFile, () => submit(job, options));
    return await workers.report?.();
  } catch (error) {
    if (!submitting && (await stoppedBeforeSubmitting(options, pipeline, log, error))) return notSubmitted;
    failed = true;
    if (error instanceof RunnerError) throw error;
    await watch?.stop(true);
    throw jobFailure(error, { pipeline: pipeline.name, runner: name, logFile, jobServer, flink: watch?.lastFailure() });
  } finally {
    beamRuns.close(runId);
    await watch?.stop();
    if (watch) context.restartsOnCluster = watch.failures();
    await workers?.stop();
    await jobServer?.stop(failed);
  }
}

/**
 * Whether a streaming run was stopped (Ctrl-C, SIGTERM) before its job was submitted: then it is not submitted, and
 * the run ends as a stopped one. A terminal's Ctrl-C also reaches what the run starts meanwhile (`java -version`, the
 * build of the Kafka read), which then fail in their own words ("needs Java 17"): not a failure worth reporting.
 */
async function stoppedBeforeSubmitting(
  options: BeamRunnerOptions,
  pipeline: PipelineNode,
  log: (line: string) => void,
  error?: unknown,
): Promise<boolean> {
  if (!options.streaming) return false;
  // Node hands this process its signal on a later turn of the event loop than the failure of a child the same
  // Ctrl-C ended (`java -version` is waited for synchronously): a moment first, for the signal to land.
  if (error !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!options.streaming.stop.aborted) return false;
  const meanwhile =
    error === undefined ? '' : ` (meanwhile: ${error instanceof Error ? error.message : format(error)})`;
  log(`${pipeline.name}: stopped before its streaming job was submitted: nothing ran${meanwhile}`);
  return true;
}

/** One job for Beam: the DirectRunner when there is no job server, else Beam's PortableRunner (LOOPBACK or external). */
async function submit(
  job: {
    runId: string;
    jobName: string;
    context: BeamRunContext;
    placement: Placement;
    server: JobServer | undefined;
    external: ((base: PortableOptions) => PortableRunner) | undefined;
    cancelOnCluster?: () => Promise<string>;
  },
  options: BeamRunnerOptions,
): Promise<void> {
  const { server, streaming } = { server: job.server, streaming: options.streaming };
  const base = server && {
    jobEndpoint: server.endpoint,
    jobName: job.jobName,
    ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
    ...(streaming ? streamingPipelineOptions(streaming) : {}),
    ...server.pipelineOptions,
  };
  const runner = !base
    ? directRunner()
    : job.external
      ? job.external(base)
      : new PortableRunner({ ...base, environmentType: 'LOOPBACK' });
  const pipeline = translate(job.runId, job.context, job.placement);
  // Only Beam's PortableRunner runs a streaming job here (runStreaming: beam-flink), and its results cancel.
  if (streaming)
    await untilStopped(
      (await runner.runAsync(pipeline)) as Parameters<typeof untilStopped>[0],
      streaming.stop,
      job.cancelOnCluster,
    );
  else await runner.run(pipeline);
}

/**
 * A job that failed, as one line: Beam's message, the root cause from the job server's log and the last failure
 * Flink recorded for the job (its REST API), and where to read more.
 */
function jobFailure(
  error: unknown,
  run: { pipeline: string; runner: string; logFile: string; jobServer?: JobServer; flink?: string },
): RunnerError {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const fromLog = run.jobServer?.failureCause();
  // The job server's innermost cause and Flink's are often the same exception: said once.
  const fromFlink = run.flink && !(fromLog && (fromLog.includes(run.flink) || run.flink.includes(fromLog)));
  const causes = [fromLog, fromFlink ? `Flink: ${run.flink}` : undefined].filter((c) => c !== undefined);
  const because = causes.length > 0 ? ` (${causes.join('; ')})` : '';
  const logs = run.jobServer ? `${run.logFile} and ${run.jobServer.log}` : run.logFile;
  return new RunnerError(`${run.pipeline} failed on ${run.runner}: ${message}${because}; see ${logs}`, {
    cause: error,
  });
}
