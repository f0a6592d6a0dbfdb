import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import type { StartWorkerRequest, StartWorkerResponse } from 'apache-beam/proto/beam_fn_api';
import { beamFnExternalWorkerPoolDefinition } from 'apache-beam/proto/beam_fn_api.grpc-server';
import { BundleProcessor, Worker } from 'apache-beam/worker/worker';
import { RunnerError } from '../../runtime/runner-error.ts';
import { grpc } from './beam-grpc.ts';
import './dofns.ts'; // registers idemflow's DoFn classes: the job's DoFns name them
import './fetch-chunks.ts'; // registers the operator that fetches input chunks from the submitter
import { jobRefOf } from './job-ref.ts';
import { beamRuns } from './run-context.ts';
import { fixBeamSdk } from './sdk-fixes.ts';
import { WorkerJobs, type WorkerJobsOptions } from './worker-jobs.ts';
import { addReportService } from './worker-report.ts';

/** A StartWorker whose worker id starts so only prepares the run: the submitter's check before it submits. */
export const checkOnlyPrefix = 'idemflow-check-';

export interface WorkerPoolOptions extends WorkerJobsOptions {
  readonly host: string;
  readonly port: number;
}

export interface WorkerPool {
  /** host:port it listens on. */
  readonly address: string;
  stop(): Promise<void>;
}

/** Called after every bundle this process finished (a worker's progress line). */
const afterBundle = new Set<() => void>();
let bundlesAwaitWrites = false;
/** In an `idemflow worker` every run's writes are awaited in its bundles; in a submitter, only streaming runs'. */
let everyRunAwaitsInBundles = false;

/**
 * In a worker, a bundle is reported done only once the sink writes it
 * started have landed (Beam 2.49's DoFns cannot await them, so the bundle
 * processor does): if this process dies, Flink replays the bundles it had
 * not acknowledged, and idempotent sinks absorb the repeat. A write that
 * failed for good fails the bundle, with its reason. A streaming run needs
 * the same in the submitting process (LOOPBACK): Flink completes a
 * checkpoint, and Kafka's offsets are committed, only after the bundles
 * before it are done. `everyRun`: all runs of this process (a worker), else
 * those that ask for it (`drainEachBundle`).
 */
export function awaitWritesBeforeBundleEnds(everyRun: boolean): void {
  if (everyRun) everyRunAwaitsInBundles = true;
  if (bundlesAwaitWrites) return;
  const prototype = BundleProcessor.prototype as unknown as { process(id: string): Promise<void> };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called back with its this
  const process = prototype.process;
  prototype.process = async function (this: unknown, instructionId: string) {
    await process.call(this, instructionId);
    const runs = [...beamRuns.all()].filter((run) => everyRunAwaitsInBundles || run.drainEachBundle);
    await Promise.all(runs.map((run) => run.drain()));
    afterBundle.forEach((listener) => listener());
  };
  bundlesAwaitWrites = true;
}

/** One of Beam's SDK workers this pool started: the run it serves and its TaskManager's control endpoint. */
interface PoolEntry {
  readonly worker: Worker;
  readonly workerId: string;
  readonly runId: string;
  readonly controlUrl: string;
}

/**
 * Beam's workers of this pool. A worker ends when its TaskManager ends its
 * control stream, not on a StopWorker: worker ids are unique per
 * TaskManager only (each numbers its own, "1-1", "1-2", …, and two that ran
 * the same jobs number them alike), so a StopWorker, which names only the
 * id, cannot say which of two workers of that id it means, and stopping
 * "the oldest" ended another TaskManager's worker in the middle of its job
 * (Flink: "SDK harness closed connection"). Beam's runner closes a worker's
 * control stream before it sends StopWorker (RemoteEnvironment.close), and a
 * TaskManager that dies drops it, so the stream's end names the right worker
 * every time.
 */
class PoolWorkers {
  readonly #live = new Set<PoolEntry>();

  constructor(readonly onEnd: (entry: PoolEntry) => void) {}

  add(entry: PoolEntry): void {
    this.#live.add(entry);
    // 'status' comes once the call is over, however it ended (closed by the runner, or its connection lost).
    entry.worker.controlChannel.once('status', () => {
      if (!this.#live.delete(entry)) return;
      entry.worker.stop();
      this.onEnd(entry);
    });
  }

  stopAll(): void {
    for (const { worker } of this.#live) worker.stop();
    this.#live.clear();
  }
}

/**
 * `idemflow worker`: Beam's external worker-pool API (the service Flink's
 * EXTERNAL environment calls) in this process. Each StartWorker carries the
 * job's reference in its parameters; the run is rebuilt from the pipeline
 * module (`WorkerJobs`) before Beam's worker starts and connects to the
 * TaskManager's control endpoint. A run it cannot rebuild (another version
 * of the file, no such export, no Cassandra configured) is refused with the
 * reason, which Flink reports as the job's failure.
 */
export async function serveWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  fixBeamSdk();
  awaitWritesBeforeBundleEnds(true);
  const jobs = new WorkerJobs(options);
  const workers = new PoolWorkers((entry) => {
    options.log(`Beam worker ${entry.workerId} ended (control ${entry.controlUrl} closed)`);
    void jobs.stopped(entry.runId);
  });
  const progress = () => jobs.logProgress();
  afterBundle.add(progress);
  const server = new grpc.Server();
  server.addService(beamFnExternalWorkerPoolDefinition, {
    startWorker(call: { request: StartWorkerRequest }, callback: (error: null, response: StartWorkerResponse) => void) {
      void startWorker(call.request, jobs, workers, options).then((error) => callback(null, { error }));
    },
    // Acknowledged only: the worker ended when its TaskManager closed its control stream (see PoolWorkers).
    stopWorker(_call: unknown, callback: (error: null, response: { error: string }) => void) {
      callback(null, { error: '' });
    },
  });
  addReportService(server, (runId) => jobs.totals(runId));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error
        ? reject(new RunnerError(`idemflow worker cannot listen on ${options.host}:${options.port}: ${error.message}`))
        : resolve(bound),
    ),
  );
  return {
    address: `${options.host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        afterBundle.delete(progress);
        workers.stopAll();
        // Calls still open (a TaskManager's) would hold a graceful shutdown forever: cut them after 2 s.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/** Prepares the run a StartWorker names, then starts Beam's worker for it; returns the error for Flink, or ''. */
async function startWorker(
  request: StartWorkerRequest,
  jobs: WorkerJobs,
  workers: PoolWorkers,
  options: WorkerPoolOptions,
): Promise<string> {
  try {
    const ref = jobRefOf(request.params);
    if (!ref)
      throw new RunnerError(
        'StartWorker without an idemflow job: this pool runs idemflow pipelines (run --environment external)',
      );
    await jobs.prepare(ref);
    if (request.workerId.startsWith(checkOnlyPrefix)) return '';
    const controlUrl = request.controlEndpoint?.url;
    if (!controlUrl) throw new RunnerError(`StartWorker ${request.workerId} names no control endpoint`);
    jobs.started(ref);
    workers.add({
      worker: new Worker(request.workerId, { controlUrl }, {}),
      workerId: request.workerId,
      runId: ref.runId,
      controlUrl,
    });
    options.log(`${ref.pipeline}: Beam worker ${request.workerId} started (control ${controlUrl})`);
    return '';
  } catch (error) {
    const message = `idemflow worker at ${options.host}:${options.port} (pid ${process.pid}): ${error instanceof Error ? error.message : String(error)}`;
    options.log(message);
    return message;
  }
}
