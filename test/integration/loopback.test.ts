/**
 * Every server the project starts listens on loopback only (issue 21). The
 * listening sockets are read from /proc (the processes' socket inodes matched
 * to /proc/net/tcp and tcp6), so nothing the servers say about themselves is
 * trusted. Beam's job server bound *:8099 and *:8098 despite --job-host, and
 * each job it ran opened more servers on every interface. The three JVMs of a
 * Flink cluster (`scripts/services up flink-cluster`) are checked in
 * flink-cluster.test.ts, which starts one on free ports: every socket they
 * hold, listening or connected, while a job runs on them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCqlFaultProxy } from '../../connectors/proxy/cql-fault-proxy.ts';
import { startLineServer } from '../../connectors/socket/line-server.ts';
import { cassandraPort, host } from '../../scripts/servers/config.ts';
import { flinkJobServer, flinkJobServerOn } from '../../scripts/servers/flink-job-server.ts';
import { services } from '../../scripts/servers/main.ts';
import { paths, portOpen, runningPid } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';
import { isLoopback, listenersOf, processTree, type Listener } from '../../scripts/servers/listeners.ts';
import { repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const exposed = (listeners: readonly Listener[]) => listeners.filter((l) => !isLoopback(l.address));
const until = async (condition: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

/** Three ports in a row, free now: a job server started as scripts/services starts it takes port, port-1 and port-2. */
async function freePortRun(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 1026 && !(await portOpen(port - 1, '127.0.0.1')) && !(await portOpen(port - 2, '127.0.0.1')))
      return port;
  }
}

describe('every server the project starts listens on loopback only', () => {
  it('Kafka, Cassandra and the job server that scripts/services runs', () => {
    expect(host).toBe('127.0.0.1'); // the default: nobody asked for another address here
    for (const s of services) {
      const pid = runningPid(s);
      expect(pid, `${s.name} runs (the tests' global setup starts it)`).toBeDefined();
      const listeners = listenersOf(processTree(pid!));
      // The service's own port is seen: the reading of /proc works for this process.
      expect(
        listeners.map((l) => l.port),
        s.name,
      ).toContain(s.port);
      expect(
        exposed(listeners),
        `${s.name} (pid ${pid}) listens beyond loopback; restart it with scripts/services`,
      ).toEqual([]);
    }
  });

  // Beam's gRPC binds through Netty's native epoll socket when it loads, else through NIO: both are confined.
  it.each([
    ['native epoll', [], true],
    [
      'NIO (Netty native transport off)',
      ['-Dorg.apache.beam.vendor.grpc.v1p54p0.io.netty.transport.noNative=true'],
      false,
    ],
  ])(
    'a job server started as scripts/services starts it, on ports of its own: %s',
    async (_, jvmFlags, epoll) => {
      const spec = flinkJobServerOn(await freePortRun());
      const run = tempDir('idemflow-job-server-');
      const { lib } = paths(flinkJobServer); // the jars the shared one runs from, read only
      await spec.prepare(run, lib);
      const child = spawn('java', [...jvmFlags, ...spec.javaArgs(run, lib)], { cwd: run, stdio: 'ignore' });
      try {
        await until(() => portOpen(spec.port, spec.host), 120_000, "Beam's job server did not open its port");
        const listeners = listenersOf(processTree(child.pid!));
        expect(listeners.map((l) => l.port).sort()).toEqual([spec.port - 2, spec.port - 1, spec.port]);
        expect(exposed(listeners)).toEqual([]);
        // The path this case means to cover is the one that ran: Netty's epoll library is loaded, or not.
        expect(readFileSync(`/proc/${child.pid}/maps`, 'utf8').includes('netty_transport_native_epoll')).toBe(epoll);
      } finally {
        child.kill('SIGKILL');
      }
    },
    180_000,
  );

  it('run --runner beam-flink: its own job server, every server of the job, and the CLI itself', async () => {
    const store = join(tempDir(), 'store');
    mkdirSync(store);
    // No job server on port 1: the CLI starts one for this run, as on a machine without scripts/services.
    const cli = spawn(
      process.execPath,
      ['bin/idemflow.js', 'run', 'test/fixtures/run/memory-counts.ts', '--runner', 'beam-flink', '--store', store],
      { cwd: repoRoot, env: { ...process.env, IDEMFLOW_FLINK_JOB_PORT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stdout.on('data', (c: Buffer) => (output += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    // Sample the CLI's process tree while it runs: the servers of a job live only as long as the job.
    const seen = new Map<string, Listener>();
    while (!done) {
      for (const l of listenersOf(processTree(cli.pid!))) seen.set(`${l.pid} ${l.address}:${l.port}`, l);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await exited, output).toBe(0);
    expect(output).toMatch(/memory-counts: 200 records on beam-flink/);
    const all = [...seen.values()];
    const javaPorts = new Set(all.filter((l) => l.pid !== cli.pid).map((l) => l.port));
    // Job, artifact and expansion services, and more: the job's own servers (Fn API, Flink's blob server…) were seen.
    expect(javaPorts.size, JSON.stringify(all)).toBeGreaterThan(3);
    // The CLI's own listener too (Beam's worker pool, which the job server asks to start workers).
    expect(all.some((l) => l.pid === cli.pid)).toBe(true);
    expect(exposed(all)).toEqual([]);
  }, 480_000);

  it('the CQL fault proxy and the test line sender', async () => {
    const proxy = await startCqlFaultProxy({ upstreamHost: host, upstreamPort: cassandraPort });
    const sender = await startLineServer(['a', 'b']);
    try {
      const listeners = listenersOf([process.pid]);
      expect(listeners.map((l) => l.port)).toEqual(expect.arrayContaining([proxy.port, sender.port]));
      expect(exposed(listeners)).toEqual([]);
    } finally {
      await proxy.close();
      await sender.close();
    }
  });
});
