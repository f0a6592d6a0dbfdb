/**
 * `idemflow worker`'s pool (runners/beam/worker-pool.ts) against two stand-in
 * TaskManagers: gRPC control services in this process, as Flink's are to an
 * SDK worker. Each TaskManager numbers its SDK workers itself ("1-1", "1-2",
 * …), so two of them that ran the same jobs ask for workers of the same id,
 * and a StopWorker, which names only the id, cannot say which one it means.
 */
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Grpc from '@grpc/grpc-js';
import type { InstructionRequest, InstructionResponse } from 'apache-beam/proto/beam_fn_api';
import { BeamFnExternalWorkerPoolClient } from 'apache-beam/proto/beam_fn_api.client';
import { beamFnControlDefinition } from 'apache-beam/proto/beam_fn_api.grpc-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importUserModule } from '../../../cli/import-module.ts';
import { grpc, transportTo } from '../../../runners/beam/beam-grpc.ts';
import { jobParams, type JobRef } from '../../../runners/beam/job-ref.ts';
import { beamRuns } from '../../../runners/beam/run-context.ts';
import { serveWorkerPool, type WorkerPool } from '../../../runners/beam/worker-pool.ts';
import { repoRoot } from '../../helpers/run-cli.ts';

const file = join(repoRoot, `test/fixtures/worker-pool-${process.pid}.tmp.ts`);
const text = `import { embedded, source } from 'idemflow';
export const raw = source.generator({ seed: 1, count: 10, keys: 2, intervalMs: 100 })
  .sink(embedded.upsert({ keyspace: 'k', table: 'raw', key: { id: 'eventId' }, values: { v: 'value' } }))
  .named('worker-pool');
`;

type ControlCall = Grpc.ServerDuplexStream<InstructionResponse, InstructionRequest>;

/** A TaskManager's control endpoint, as an SDK worker sees it: it keeps each worker's stream and sees it end. */
interface StandInTaskManager {
  readonly url: string;
  /** Resolves with the control stream of the first SDK worker that connects. */
  readonly connected: Promise<ControlCall>;
  /** Whether the SDK worker ended its side of the stream while it was open (Beam's worker does so when stopped). */
  workerEnded: boolean;
  stop(): void;
}

async function standInTaskManager(): Promise<StandInTaskManager> {
  const server = new grpc.Server();
  let connect: (call: ControlCall) => void = () => {};
  const tm: StandInTaskManager = {
    url: '',
    connected: new Promise<ControlCall>((resolve) => (connect = resolve)),
    workerEnded: false,
    stop: () => server.forceShutdown(),
  };
  server.addService(beamFnControlDefinition, {
    control(call: ControlCall) {
      // The stream flows (a readable's 'end' comes only once its data is read): the worker sends nothing unasked.
      call.on('data', () => {});
      call.on('end', () => (tm.workerEnded = true));
      call.on('error', () => {});
      connect(call);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return Object.assign(tm, { url: `127.0.0.1:${port}` });
}

const sha = createHash('sha256').update(text).digest('hex');
const ref = (runId: string): JobRef => ({
  runId,
  pipeline: 'worker-pool',
  module: file,
  exportName: 'raw',
  sha256: sha,
  cassandra: false,
});
const lines: string[] = [];
let pool: WorkerPool;
let client: BeamFnExternalWorkerPoolClient;

beforeAll(async () => {
  writeFileSync(file, text);
  pool = await serveWorkerPool({
    host: '127.0.0.1',
    port: 0,
    importModule: importUserModule,
    log: (l) => lines.push(l),
  });
  client = new BeamFnExternalWorkerPoolClient(transportTo(pool.address));
});

afterAll(async () => {
  await pool?.stop();
  rmSync(file, { force: true });
});

const ended = () => lines.filter((l) => l.startsWith('Beam worker'));
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

const startOn = async (tm: StandInTaskManager, workerId: string, runId: string) => {
  const { response } = await client.startWorker({
    workerId,
    controlEndpoint: { url: tm.url },
    params: jobParams(ref(runId)),
  });
  expect(response.error).toBe('');
  return tm.connected;
};

describe('idemflow worker: SDK workers of the same id from two TaskManagers', () => {
  it("a StopWorker for one TaskManager's worker leaves the other's running; each ends with its control stream", async () => {
    const [first, second] = [await standInTaskManager(), await standInTaskManager()];
    try {
      const runId = `pool-${process.pid}`;
      const [firstCall, secondCall] = [await startOn(first, '1-1', runId), await startOn(second, '1-1', runId)];
      expect(firstCall.metadata.get('worker_id')).toEqual(['1-1']);
      expect(secondCall.metadata.get('worker_id')).toEqual(['1-1']);

      // What Flink does when the second TaskManager's stage is done (RemoteEnvironment.close): it closes the
      // worker's control stream, then asks the pool to stop worker "1-1".
      secondCall.end();
      expect((await client.stopWorker({ workerId: '1-1' }).response).error).toBe('');
      await settle();
      // The first TaskManager's worker is still serving it: stopping "the oldest 1-1" ended it mid-job, and
      // its TaskManager failed the job with "SDK harness closed connection".
      expect(first.workerEnded).toBe(false);
      expect(ended()).toEqual([`Beam worker 1-1 ended (control ${second.url} closed)`]);
      expect(beamRuns.has(runId)).toBe(true);

      firstCall.end();
      expect((await client.stopWorker({ workerId: '1-1' }).response).error).toBe('');
      await settle();
      expect(ended()).toEqual([
        `Beam worker 1-1 ended (control ${second.url} closed)`,
        `Beam worker 1-1 ended (control ${first.url} closed)`,
      ]);
      // Both workers of the run ended here: the run is closed, its totals kept for the submitter's report.
      expect(beamRuns.has(runId)).toBe(false);
      expect(lines.filter((l) => l.includes(`run ${runId} done here`))).toHaveLength(1);
    } finally {
      first.stop();
      second.stop();
    }
  });

  it('a TaskManager that dies (its connection gone) ends its worker without any StopWorker', async () => {
    const tm = await standInTaskManager();
    const runId = `pool-died-${process.pid}`;
    await startOn(tm, '2-1', runId);
    expect(beamRuns.has(runId)).toBe(true);
    tm.stop();
    await settle();
    expect(ended()).toContain(`Beam worker 2-1 ended (control ${tm.url} closed)`);
    expect(beamRuns.has(runId)).toBe(false);
  });
});
