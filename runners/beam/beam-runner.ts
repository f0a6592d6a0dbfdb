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
import { flinkJobServerFor } from './flink-job-server.ts';
import { fixBeamSdk } from './sdk-fixes.ts';
import { BeamRunContext, beamRuns, type BeamRunOptions } from './run-context.ts';
import { translate } from './translate.ts';

/** Where a Beam job runs: Beam's DirectRunner in this process, or Flink through Beam's job server. */
export type BeamEngine = 'direct' | 'flink';

export interface BeamRunnerOptions extends BeamRunOptions {
  /** beam-flink: the Flink master (`host:port` of a cluster's JobManager); default `[local]`, an embedded Flink. */
  readonly flinkMaster?: string;
  /** Where Beam's own output goes (it is chatty); default a file under the temp folder. */
  readonly logFile?: string;
}

export interface BeamRunResult extends RunResult {
  readonly memory: MemorySinkContents;
  readonly logFile: string;
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
      const input = await readBoundedInput(pipeline, { targets, log });
      try {
        const context = new BeamRunContext(pipeline, input.values, (i) => input.position(i), options, targets);
        const logFile =
          options.logFile ??
          join(
            tmpdir(),
            'idemflow-beam',
            `${pipeline.name.replace(/[^\w.-]+/g, '_')}-${name}-${process.pid}-${Date.now()}.log`,
          );
        await runJob({ name, engine }, pipeline, context, logFile, options, log);
        await context.drain();
        await input.acknowledged();
        return {
          pipeline: pipeline.name,
          batches: 1,
          recordsIn: input.values.length,
          deadLetters: context.totals.deadLetters,
          late: 0,
          rowsWritten: context.rowsWritten,
          abandonedWrites: context.totals.abandoned,
          replays: 0,
          elapsedMs: performance.now() - started,
          memory: context.memory,
          logFile,
        };
      } finally {
        await input.close();
      }
    },
  };
}

/** Submits the job to Beam (the DirectRunner, or Flink's job server) and waits for it to end. */
async function runJob(
  { name, engine }: Pick<BeamRunner, 'name' | 'engine'>,
  pipeline: PipelineNode,
  context: BeamRunContext,
  logFile: string,
  options: BeamRunnerOptions,
  log: (line: string) => void,
): Promise<void> {
  const runId = beamRuns.open(context);
  const jobServer = engine === 'flink' ? await flinkJobServerFor(options.flinkMaster ?? '[local]', log) : undefined;
  let failed = false;
  try {
    await withConsoleTo(logFile, async () => {
      const runner = jobServer
        ? new PortableRunner({
            jobEndpoint: jobServer.endpoint,
            environmentType: 'LOOPBACK',
            jobName: pipeline.name,
            ...jobServer.pipelineOptions,
          })
        : directRunner();
      await runner.run(translate(runId, context));
    });
  } catch (error) {
    failed = true;
    if (error instanceof RunnerError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const cause = jobServer?.failureCause();
    const logs = jobServer ? `${logFile} and ${jobServer.log}` : logFile;
    throw new RunnerError(`${pipeline.name} failed on ${name}: ${message}${cause ? ` (${cause})` : ''}; see ${logs}`, {
      cause: error,
    });
  } finally {
    beamRuns.close(runId);
    await jobServer?.stop(failed);
  }
}
