import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildBindAgent } from '../../scripts/servers/bind-agent.ts';
import { jobServerHost as host } from '../../scripts/servers/config.ts';
import { flinkJobServer, flinkJobServerArgs } from '../../scripts/servers/flink-job-server.ts';
import { buildJobServerExtras, stageNothing } from '../../scripts/servers/job-server-extras.ts';
import { kafkaReadJars } from '../../scripts/servers/kafka-read.ts';
import { fetchServer, paths, portOpen, runningPid } from '../../scripts/servers/service.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { checkFlinkMaster } from './flink-master.ts';

export interface JobServer {
  /** host:port of Beam's job API. */
  readonly endpoint: string;
  /** The job server's log, for error messages. */
  readonly log: string;
  /** Pipeline options the job needs on this job server (sent with it). */
  readonly pipelineOptions: Readonly<Record<string, string>>;
  /** host:port of its expansion service, when the run asked for the streaming Kafka read. */
  readonly expansion?: string;
  /** The root cause of a failed job, from what the job server logged since it was handed out. */
  failureCause(): string | undefined;
  /** Stops a job server started for the run (its folder is removed unless the run failed). */
  stop(failed?: boolean): Promise<void>;
}

/** The innermost `Caused by:` the job server logged after `offset`: Beam's own error only says FAILED. */
function causeInLog(file: string, offset: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return undefined;
  }
  const causes = [...text.matchAll(/^Caused by: (.+)$/gm)].map((m) => m[1]!.trim());
  const last = causes.at(-1);
  return last && last.length > 300 ? `${last.slice(0, 300)}…` : last;
}

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A Flink job server for one run. With the embedded `[local]` master, the
 * shared one of `scripts/services` when it runs; otherwise one started for
 * this run (fetched from Maven Central once) and stopped after it, once the
 * cluster it submits to has answered.
 */
export async function flinkJobServerFor(
  master: string,
  log: (line: string) => void,
  startTimeoutMs = 90_000,
  needs: JobServerNeeds = {},
): Promise<JobServer> {
  // The shared one runs without KafkaIO on its classpath: a streaming Kafka job gets a job server of its own.
  if (master === '[local]' && !needs.kafkaRead) {
    const shared = await sharedJobServer();
    if (shared) return shared;
  }
  if (master !== '[local]') await checkFlinkMaster(master);
  const extras = await prepareJobServer(master, log);
  const kafka = needs.kafkaRead ? await prepareKafkaRead(log) : undefined;
  return startJobServer(master, { extras, kafka }, log, startTimeoutMs);
}

/** What a run needs of its job server beyond Beam's own. */
export interface JobServerNeeds {
  /** idemflow's streaming Kafka read: KafkaIO and the read on its classpath, and its expansion service. */
  readonly kafkaRead?: boolean;
}

/** KafkaIO, the Kafka client and idemflow's read (fetched and built once). */
async function prepareKafkaRead(log: (line: string) => void): Promise<string[]> {
  try {
    return await kafkaReadJars(paths(flinkJobServer).lib, log);
  } catch (error) {
    throw new RunnerError(
      `could not prepare the streaming Kafka read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The job server of `scripts/services`, when it runs: jobs on the embedded master go there. */
async function sharedJobServer(): Promise<JobServer | undefined> {
  const shared = paths(flinkJobServer);
  if (runningPid(flinkJobServer) === undefined || !(await portOpen(flinkJobServer.port, host))) return undefined;
  const offset = sizeOf(shared.log);
  return {
    endpoint: `${host}:${flinkJobServer.port}`,
    log: shared.log,
    pipelineOptions: {},
    failureCause: () => causeInLog(shared.log, offset),
    stop: async () => {},
  };
}

/** Java, the job server's jars (fetched once) and its bind agent; for a cluster, the extras it runs with. */
async function prepareJobServer(master: string, log: (line: string) => void): Promise<string[]> {
  const { lib } = paths(flinkJobServer);
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    throw new RunnerError(
      "beam-flink needs Java 17 on the PATH for Beam's Flink job server (`java -version` failed); install a JDK, or use --runner beam-direct",
    );
  }
  const why = (error: unknown) => (error instanceof Error ? error.message : String(error));
  try {
    await fetchServer(flinkJobServer, log);
  } catch (error) {
    throw new RunnerError(`could not fetch Beam's Flink job server: ${why(error)}`);
  }
  try {
    await buildBindAgent(lib);
  } catch (error) {
    throw new RunnerError(`refusing to start Beam's Flink job server: ${why(error)}`);
  }
  // A cluster runs from the same jars: the job stages none (the embedded master stages nothing anyway).
  try {
    return master !== '[local]' ? [await buildJobServerExtras(lib)] : [];
  } catch (error) {
    throw new RunnerError(`refusing to submit to ${master}: ${why(error)}`);
  }
}

/** A job server started for this run, in a folder of its own, once it answers on its port. */
async function startJobServer(
  master: string,
  jars: { extras: string[]; kafka?: string[] },
  log: (line: string) => void,
  startTimeoutMs: number,
): Promise<JobServer> {
  const shared = paths(flinkJobServer);
  const port = await freePort();
  const { extras, kafka } = jars;
  // The expansion service's port is chosen here when the job will call it; else any free one.
  const expansionPort = kafka ? await freePort() : undefined;
  const runDir = join(shared.base, `run-${process.pid}-${port}`);
  mkdirSync(runDir, { recursive: true });
  const logFile = join(runDir, 'job-server.log');
  const out = openSync(logFile, 'a');
  const args = flinkJobServerArgs(shared.lib, join(runDir, 'artifacts'), port, master, 'any', [
    ...extras,
    ...(kafka ?? []),
  ]);
  if (expansionPort !== undefined) args.push(`--expansion-port=${expansionPort}`);
  // Started with SIGINT ignored, which Java then leaves ignored (as `nohup` leaves SIGHUP): a terminal's Ctrl-C
  // reaches every process of its foreground group, and Java would end at once, before the run has cancelled the job
  // through it and on the cluster (the run then failed on the job server's gRPC, and the job went on running there).
  // The run stops it itself, with SIGTERM.
  const child = spawn('sh', ['-c', 'trap "" INT; exec "$@"', 'sh', 'java', ...args], {
    cwd: runDir,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exited = false;
  // It ignores SIGINT: a run that exits without stopping it (a second Ctrl-C) must not leave it behind.
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  child.once('exit', () => {
    exited = true;
    process.off('exit', stopOnExit);
  });
  log(`flink job server: starting for this run (master ${master}, port ${port}), log ${logFile}`);
  const deadline = Date.now() + startTimeoutMs;
  while (!(await portOpen(port, host))) {
    if (exited) throw new RunnerError(`Beam's Flink job server exited while starting; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RunnerError(
        `Beam's Flink job server did not answer on ${host}:${port} within ${startTimeoutMs / 1000} s; see ${logFile}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    endpoint: `${host}:${port}`,
    log: logFile,
    pipelineOptions: master !== '[local]' ? stageNothing : {},
    expansion: expansionPort !== undefined ? `${host}:${expansionPort}` : undefined,
    failureCause: () => causeInLog(logFile, 0),
    async stop(failed = false) {
      if (!exited) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      if (!failed) rmSync(runDir, { recursive: true, force: true });
    },
  };
}
