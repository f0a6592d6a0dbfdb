import type * as Grpc from '@grpc/grpc-js';
import { RunnerError } from '../../runtime/runner-error.ts';
import { grpc } from './beam-grpc.ts';

/** What one `idemflow worker` did for a run: its share of the records, and what its steps and writes counted. */
export interface WorkerTotals {
  readonly records: number;
  readonly deadLetters: number;
  /** Records late for their window (a streaming job), among the dead letters. */
  readonly late: number;
  readonly abandoned: number;
  /** Rows each sink acknowledged, by sink id. */
  readonly rowsWritten: Readonly<Record<string, number>>;
}

export const noTotals: WorkerTotals = { records: 0, deadLetters: 0, late: 0, abandoned: 0, rowsWritten: {} };

/** The run's totals over every worker: what the submitter's summary prints, as LOOPBACK counts them in-process. */
export function sumTotals(all: Iterable<WorkerTotals>): WorkerTotals {
  const rowsWritten: Record<string, number> = {};
  let records = 0;
  let deadLetters = 0;
  let late = 0;
  let abandoned = 0;
  for (const t of all) {
    records += t.records;
    deadLetters += t.deadLetters;
    late += t.late;
    abandoned += t.abandoned;
    for (const [sink, n] of Object.entries(t.rowsWritten)) rowsWritten[sink] = (rowsWritten[sink] ?? 0) + n;
  }
  return { records, deadLetters, late, abandoned, rowsWritten };
}

/**
 * A small service beside Beam's worker-pool API on the worker's port: the
 * submitter asks each worker, once the job has ended, what its share of the
 * run counted. Beam's worker-pool API has no such call, and Beam's metrics
 * would need every count attached to a bundle before its writes have landed.
 * JSON both ways: two plain objects.
 */
const totalsMethod = '/idemflow.WorkerReport/Totals';
const toJson = (value: unknown) => Buffer.from(JSON.stringify(value));
const fromJson = <T>(buffer: Buffer) => JSON.parse(buffer.toString('utf8')) as T;

export function addReportService(server: Grpc.Server, totalsOf: (runId: string) => WorkerTotals): void {
  const definition: Grpc.ServiceDefinition = {
    totals: {
      path: totalsMethod,
      requestStream: false,
      responseStream: false,
      requestSerialize: toJson,
      requestDeserialize: fromJson<{ runId: string }>,
      responseSerialize: toJson,
      responseDeserialize: fromJson<WorkerTotals>,
    },
  };
  server.addService(definition, {
    totals(call: Grpc.ServerUnaryCall<{ runId: string }, WorkerTotals>, callback: Grpc.sendUnaryData<WorkerTotals>) {
      callback(null, totalsOf(call.request.runId));
    },
  });
}

/** Asks the worker at `address` for its totals of the run; an error names the worker. */
export function askTotals(address: string, runId: string, timeoutMs = 30_000): Promise<WorkerTotals> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<WorkerTotals>((resolve, reject) => {
    client.makeUnaryRequest(
      totalsMethod,
      toJson,
      fromJson<WorkerTotals>,
      { runId },
      { deadline: Date.now() + timeoutMs },
      (error, totals) => {
        client.close();
        if (error || !totals)
          reject(new RunnerError(`worker ${address} did not report its totals of run ${runId}: ${error?.message}`));
        else resolve(totals);
      },
    );
  });
}
