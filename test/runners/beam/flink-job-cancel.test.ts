/**
 * Ctrl-C on a streaming run cancels its job on the Flink cluster through the JobManager's REST API
 * (flink-job-watch.ts). Against a JobManager played by a small HTTP server on loopback: a job that the
 * cluster lists only after the cancel was asked (Ctrl-C right after the run started, while the job server
 * still submits), and a JobManager that takes the cancel but never ends the job. Also the failures the watch counts
 * (the run's `replays`): each entry of the job's exception history once, however many polls see it.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchFlinkJob } from '../../../runners/beam/flink-job-watch.ts';

interface FakeJob {
  readonly jid: string;
  readonly name: string;
  state: string;
}

/** A JobManager's REST endpoints the watch uses; `cancels` counts the PATCHes, `onCancel` decides what they do. */
async function fakeJobManager(onCancel: (job: FakeJob) => void) {
  const jobs: FakeJob[] = [];
  const failures: { timestamp: number; exceptionName: string }[] = [];
  const seen = { cancels: 0 };
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://x');
    const send = (body: unknown) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/jobs/overview') return send({ jobs: jobs.map((j) => ({ ...j, 'start-time': Date.now() })) });
    const job = jobs.find((j) => url.pathname.startsWith(`/jobs/${j.jid}`));
    if (!job) return response.writeHead(404).end();
    if (request.method === 'PATCH' && url.searchParams.get('mode') === 'cancel') {
      seen.cancels++;
      onCancel(job);
      return response.writeHead(202).end('{}');
    }
    if (url.pathname.endsWith('/exceptions')) return send({ exceptionHistory: { entries: failures } });
    return send({ state: job.state });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as { port: number };
  return { master: `127.0.0.1:${port}`, jobs, seen, failures };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const quiet = () => {};

describe('cancelling a streaming job on the cluster', () => {
  it('a job the cluster lists only after the cancel was asked is waited for, then cancelled', async () => {
    const manager = await fakeJobManager((job) => (job.state = 'CANCELED'));
    const watch = watchFlinkJob(manager.master, 'counts-run-1', quiet, 20_000);
    // The job server submits it a moment after the run was stopped.
    setTimeout(() => manager.jobs.push({ jid: 'a1', name: 'counts-run-1', state: 'RUNNING' }), 1_500);
    try {
      await expect(watch.cancel()).resolves.toBe('CANCELED');
      expect(manager.seen.cancels).toBeGreaterThan(0);
    } finally {
      await watch.stop();
    }
  });

  it('a job that never shows: the run says so, naming the job and the cluster', async () => {
    const manager = await fakeJobManager(() => {});
    const watch = watchFlinkJob(manager.master, 'counts-run-2', quiet, 1_500);
    try {
      await expect(watch.cancel()).rejects.toThrow(
        `cancelling: no job counts-run-2 showed on the Flink cluster at ${manager.master} within 1.5 s`,
      );
    } finally {
      await watch.stop();
    }
  });

  it('a JobManager that takes the cancel but never ends the job: an error naming the job, not a quiet exit', async () => {
    const manager = await fakeJobManager(() => {});
    manager.jobs.push({ jid: 'b2', name: 'counts-run-3', state: 'RESTARTING' });
    const watch = watchFlinkJob(manager.master, 'counts-run-3', quiet, 1_500);
    try {
      await expect(watch.cancel()).rejects.toThrow(
        `cancelling: job b2 did not end on the Flink cluster at ${manager.master} (still RESTARTING); it may still be running there`,
      );
      expect(manager.seen.cancels).toBeGreaterThan(1);
    } finally {
      await watch.stop();
    }
  });
});

describe("the failures Flink recorded for the job: the run summary's replays", () => {
  it('each failure counted once, across polls and the last look at stop', async () => {
    const manager = await fakeJobManager(() => {});
    manager.jobs.push({ jid: 'c3', name: 'counts-run-4', state: 'RUNNING' });
    manager.failures.push({ timestamp: 1_000, exceptionName: 'java.lang.Exception: TaskManager lost' });
    const lines: string[] = [];
    const watch = watchFlinkJob(manager.master, 'counts-run-4', (line) => lines.push(line));
    try {
      await vi.waitFor(() => expect(watch.failures()).toBe(1), { timeout: 10_000 });
      // Seen again by the next polls, and a second failure after them: two in all.
      await new Promise((r) => setTimeout(r, 4_500));
      manager.failures.push({ timestamp: 2_000, exceptionName: 'java.lang.Exception: SDK worker lost' });
    } finally {
      await watch.stop();
    }
    expect(watch.failures()).toBe(2);
    expect(lines.filter((l) => l.startsWith('flink: job c3 failed'))).toHaveLength(2);
  });

  it('none recorded: none counted', async () => {
    const manager = await fakeJobManager(() => {});
    manager.jobs.push({ jid: 'd4', name: 'counts-run-5', state: 'RUNNING' });
    const watch = watchFlinkJob(manager.master, 'counts-run-5', quiet);
    await new Promise((r) => setTimeout(r, 2_500));
    await watch.stop();
    expect(watch.failures()).toBe(0);
  });
});
