/**
 * `--flink-master host:port` is asked for the JobManager's overview before a
 * job server is started for it: an unreachable, mistyped or foreign address is
 * one line naming it, at once, not a job that fails twenty seconds later with
 * Flink's connection error in a log.
 */
import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkFlinkMaster } from '../../../runners/beam/flink-master.ts';
import { freePort } from '../../helpers/free-port.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

/** An HTTP server on loopback that answers every request with `status` and `body`. */
async function answering(status: number, body: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('--flink-master is checked before a job server starts', () => {
  it('nothing listening: the CLI names the address, the error and where the cluster logs, in one line', async () => {
    const port = await freePort();
    const run = runCli([
      'run',
      'pipelines/demo/sensor-aggregates.ts',
      '--runner',
      'beam-flink',
      '--flink-master',
      `127.0.0.1:${port}`,
      '--store',
      tempDir(),
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `no Flink cluster answers at 127\\.0\\.0\\.1:${port} \\(GET http://127\\.0\\.0\\.1:${port}/overview: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\); start one \\(scripts/services up flink-cluster: its logs are in \\S+flink-cluster/run\\) or fix --flink-master`,
      ),
    );
    // Refused before any job server was started for it.
    expect(run.stderr).not.toContain('flink job server: starting');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('a server that answers, but not as a Flink JobManager (a web app on 8081), is refused', async () => {
    for (const [status, body] of [
      [404, '{"errors":["Not found"]}'],
      [200, '{"status":"ok"}'],
      [200, 'not json'],
    ] as const) {
      const { server, port } = await answering(status, body);
      try {
        await expect(checkFlinkMaster(`127.0.0.1:${port}`)).rejects.toThrow(
          `no Flink cluster answers at 127.0.0.1:${port} (GET http://127.0.0.1:${port}/overview: it answered HTTP ${status}, not as a Flink JobManager)`,
        );
      } finally {
        server.close();
      }
    }
  });

  it('a JobManager overview passes; a server that never answers times out, named', async () => {
    const jm = await answering(200, '{"taskmanagers":2,"slots-total":4,"flink-version":"1.16.0"}');
    const silent = createServer(() => {}); // accepts, never responds
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      await expect(checkFlinkMaster(`127.0.0.1:${jm.port}`)).resolves.toBeUndefined();
      await expect(checkFlinkMaster(`127.0.0.1:${silentPort}`, 300)).rejects.toThrow(
        `no Flink cluster answers at 127.0.0.1:${silentPort} (GET http://127.0.0.1:${silentPort}/overview: no answer within 0.3 s)`,
      );
    } finally {
      jm.server.close();
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('[local] is not an address and is not asked; anything else that is not host:port is refused', async () => {
    await expect(checkFlinkMaster('[local]')).resolves.toBeUndefined();
    for (const master of ['jobmanager', 'http://jm:8081', 'jm:port'])
      await expect(checkFlinkMaster(master)).rejects.toThrow(
        `--flink-master ${master}: give the host:port of a Flink JobManager's REST endpoint`,
      );
  });
});
