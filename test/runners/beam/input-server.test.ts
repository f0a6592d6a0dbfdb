/**
 * With --environment external the submitter serves its bounded input in
 * chunks (runners/beam/input-server.ts) and the job carries only the chunk
 * indices; workers fetch each chunk where the shuffle sent its index. The
 * worker's totals come back through a small gRPC service beside Beam's
 * worker-pool API (runners/beam/worker-report.ts). No servers needed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chunkSize } from '../../../runners/beam/dofns.ts';
import { grpc } from '../../../runners/beam/beam-grpc.ts';
import { startInputServer } from '../../../runners/beam/input-server.ts';
import { addReportService, askTotals, sumTotals } from '../../../runners/beam/worker-report.ts';
import { freePort } from '../../helpers/free-port.ts';

const values = Array.from({ length: chunkSize * 2 + 7 }, (_, i) => ({ n: i }));
const positions = (i: number) => `input.jsonl:${i + 1}`;

describe('the input server', () => {
  it('serves each chunk of 500 records with their positions, the last one short; no chunk past the end', async () => {
    const server = await startInputServer({ values, positions });
    try {
      expect(server.chunks).toBe(3);
      const chunk = async (i: number | string) => fetch(`${server.url}${i}`);
      const first = (await (await chunk(0)).json()) as { i: number; v: unknown; p: string }[];
      expect(first).toHaveLength(chunkSize);
      expect(first[0]).toEqual({ i: 0, v: { n: 0 }, p: 'input.jsonl:1' });
      const last = (await (await chunk(2)).json()) as { i: number; v: unknown; p: string }[];
      expect(last.map((r) => r.i)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006]);
      expect(last.at(-1)).toEqual({ i: 1006, v: { n: 1006 }, p: 'input.jsonl:1007' });
      for (const bad of [3, -1, 'x']) {
        const response = await chunk(bad);
        expect(response.status).toBe(404);
        expect(await response.text()).toContain('(0–2)');
      }
      expect(server.served()).toBe(2);
    } finally {
      await server.stop();
    }
  });

  it('an empty input has no chunk', async () => {
    const server = await startInputServer({ values: [], positions });
    try {
      expect(server.chunks).toBe(0);
      expect((await fetch(`${server.url}0`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});

describe("a worker's report of its totals", () => {
  const server = new grpc.Server();
  afterAll(() => server.forceShutdown());

  it('answers for a run it knows, zeros for one it does not; an unreachable worker is named', async () => {
    const totals = { records: 3_000, deadLetters: 4, late: 0, abandoned: 1, rowsWritten: { 'k.counts': 5 } };
    addReportService(server, (runId) =>
      runId === 'run-1' ? totals : { records: 0, deadLetters: 0, late: 0, abandoned: 0, rowsWritten: {} },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    expect(await askTotals(`127.0.0.1:${port}`, 'run-1')).toEqual(totals);
    expect((await askTotals(`127.0.0.1:${port}`, 'run-2')).records).toBe(0);
    const closed = await freePort();
    await expect(askTotals(`127.0.0.1:${closed}`, 'run-1', 2_000)).rejects.toThrow(
      `worker 127.0.0.1:${closed} did not report its totals of run run-1`,
    );
  });

  it('the run totals add up every worker, sink by sink', () => {
    expect(
      sumTotals([
        { records: 2, deadLetters: 1, late: 1, abandoned: 0, rowsWritten: { a: 2, b: 1 } },
        { records: 3, deadLetters: 0, late: 0, abandoned: 2, rowsWritten: { a: 3 } },
      ]),
    ).toEqual({ records: 5, deadLetters: 1, late: 1, abandoned: 2, rowsWritten: { a: 5, b: 1 } });
  });
});
