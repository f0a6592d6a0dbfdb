import './node-compat.ts'; // first: Beam needs it as it loads
// apache-beam's modules require each other in a cycle that resolves only when its index loads first.
import 'apache-beam';
import type { StartWorkerRequest, StartWorkerResponse } from 'apache-beam/proto/beam_fn_api';
import { BeamFnExternalWorkerPoolClient } from 'apache-beam/proto/beam_fn_api.client';
import { beamFnExternalWorkerPoolDefinition } from 'apache-beam/proto/beam_fn_api.grpc-server';
import { jobServerHost as host } from '../../scripts/servers/config.ts';
import { grpc, transportTo } from './beam-grpc.ts';

export interface WorkerFront {
  /** host:port the job's environment names. */
  readonly address: string;
  /** How many SDK workers each worker was asked for, by address. */
  readonly started: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

type Reply<T> = (error: Error | null, response?: T) => void;

/**
 * A worker pool in the submitting process that starts no worker itself: it
 * hands each StartWorker to the next of `workers` in turn. Beam's external
 * environment names one address; on a real cluster that is
 * `localhost:<port>`, one `idemflow worker` beside each TaskManager, and no
 * front is needed. Several workers named on one command line share a job
 * through this front, which the TaskManagers must reach, as with LOOPBACK.
 */
export async function startWorkerFront(workers: readonly string[]): Promise<WorkerFront> {
  const transports = workers.map(transportTo);
  const clients = transports.map((t) => new BeamFnExternalWorkerPoolClient(t));
  const started = new Map<string, number>(workers.map((w) => [w, 0]));
  let next = 0;
  const server = new grpc.Server();
  server.addService(beamFnExternalWorkerPoolDefinition, {
    startWorker(call: { request: StartWorkerRequest }, callback: Reply<StartWorkerResponse>) {
      const index = next++ % workers.length;
      started.set(workers[index]!, started.get(workers[index]!)! + 1);
      clients[index]!.startWorker(call.request).response.then(
        (response) => callback(null, response),
        (error: Error) => callback(null, { error: `worker ${workers[index]}: ${error.message.split('\n')[0]}` }),
      );
    },
    // Acknowledged here: each worker ends its SDK worker when the TaskManager closes that worker's control
    // stream, which Beam's runner does before it sends StopWorker. The id alone cannot say which worker to ask:
    // each TaskManager numbers its own SDK workers, so two of them ask for "1-1" alike.
    stopWorker(_call: unknown, callback: Reply<{ error: string }>) {
      callback(null, { error: '' });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `${host}:${port}`,
    started,
    stop: () =>
      new Promise<void>((resolve) =>
        server.tryShutdown(() => {
          transports.forEach((t) => t.close());
          resolve();
        }),
      ),
  };
}
