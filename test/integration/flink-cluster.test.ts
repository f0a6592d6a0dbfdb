/**
 * A Flink session cluster from Maven jars (issue 18, step 1): `scripts/services
 * up flink-cluster` as a user runs it, on free ports and in a cache folder of
 * its own that borrows the shared job server's jars (nothing is fetched), so
 * the shared services are never touched. One cluster for the file: it costs
 * three JVMs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { flinkJobServer } from '../../scripts/servers/flink-job-server.ts';
import { isLoopback, socketsOf, type TcpSocket } from '../../scripts/servers/listeners.ts';
import { pidAlive } from '../../scripts/servers/processes.ts';
import { paths, portOpen } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';
import { cliEnv, repoRoot } from '../helpers/run-cli.ts';

interface Ran {
  readonly status: number | null;
  readonly output: string;
}

/** Runs a command to its end without blocking the event loop (the test samples sockets meanwhile). */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, onStart?: (pid: number) => void) {
  return new Promise<Ran>((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    onStart?.(child.pid!);
    child.once('close', (status) => resolve({ status, output }));
  });
}

const cache = mkdtempSync(join(tmpdir(), 'idemflow-flink-cluster-'));
const shared = paths(flinkJobServer);
let rest = 0;
let env: NodeJS.ProcessEnv = {};
const services = (...args: string[]) => run(join(repoRoot, 'scripts/services'), args, env);
const clusterRun = join(cache, 'flink-cluster', 'run');
const pidOf = (file: string) => Number(readFileSync(join(clusterRun, file), 'utf8'));
const clusterPids = () => ['pid', 'pid-taskmanager-1', 'pid-taskmanager-2'].map(pidOf);
const restGet = async <T>(path: string) => (await (await fetch(`http://127.0.0.1:${rest}${path}`)).json()) as T;

/** Every table of an embedded store, its rows as sorted JSON. */
function storeContents(dir: string): Record<string, string[]> {
  const store = new EmbeddedStore(dir);
  const out: Record<string, string[]> = {};
  for (const name of store.tableNames()) {
    const [keyspace, table] = name.split('.') as [string, string];
    out[name] = store
      .table({ keyspace, table })
      .rows()
      .map((r) => JSON.stringify([r.key, r.columns]))
      .sort();
  }
  return out;
}

beforeAll(async () => {
  // The shared job server's jars and bind agent, read only: linked, not copied or fetched.
  mkdirSync(join(cache, 'flink-job-server'), { recursive: true });
  symlinkSync(shared.lib, join(cache, 'flink-job-server', 'lib'));
  symlinkSync(join(shared.base, 'bind-agent'), join(cache, 'flink-job-server', 'bind-agent'));
  rest = await freePort();
  env = {
    IDEMFLOW_CACHE: cache,
    IDEMFLOW_FLINK_REST_PORT: String(rest),
    IDEMFLOW_FLINK_RPC_PORT: String(await freePort()),
  };
  const up = await services('up', 'flink-cluster');
  expect(up.status, up.output).toBe(0);
}, 400_000);

afterAll(async () => {
  await services('down', 'flink-cluster');
  rmSync(cache, { recursive: true, force: true });
}, 120_000);

describe.sequential('scripts/services up flink-cluster: a JobManager and two TaskManagers on loopback', () => {
  it('status names the three JVMs; the JobManager lists both TaskManagers with their slots', async () => {
    const status = await services('status', 'flink-cluster');
    const [jm, tm1, tm2] = clusterPids();
    expect(status.output.trim()).toBe(
      `flink-cluster: running (pid ${jm}) on 127.0.0.1:${rest} with taskmanager-1 (pid ${tm1}), taskmanager-2 (pid ${tm2})`,
    );
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(cmdline(jm!)).toContain('org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint');
    for (const tm of [tm1!, tm2!])
      expect(cmdline(tm)).toContain('org.apache.flink.runtime.taskexecutor.TaskManagerRunner');
    const { taskmanagers } = await restGet<{ taskmanagers: { id: string; slotsNumber: number }[] }>('/taskmanagers');
    expect(taskmanagers.map((t) => t.id.replace(/-[a-z0-9]+$/, '')).sort()).toEqual(['taskmanager-1', 'taskmanager-2']);
    expect(taskmanagers.map((t) => t.slotsNumber)).toEqual([2, 2]);
  });

  it('run --runner beam-flink --flink-master: the job runs on the cluster and writes the rows the local runner writes; every socket of its JVMs stays on loopback', async () => {
    const stores = { local: mkdtempSync(join(cache, 'local-')), cluster: mkdtempSync(join(cache, 'cluster-')) };
    const pipeline = 'pipelines/demo/sensor-aggregates.ts';
    const local = await run(process.execPath, ['bin/idemflow.js', 'run', pipeline, '--store', stores.local], {});
    expect(local.status, local.output).toBe(0);
    const master = `127.0.0.1:${rest}`;
    // Sample every TCP socket of the three JVMs while the job runs: Beam's Fn API servers live only as long as it.
    const seen = new Map<string, TcpSocket>();
    let done = false;
    const onCluster = run(
      process.execPath,
      [
        'bin/idemflow.js',
        'run',
        pipeline,
        '--runner',
        'beam-flink',
        '--flink-master',
        master,
        '--store',
        stores.cluster,
      ],
      {},
    ).finally(() => (done = true));
    while (!done) {
      for (const s of socketsOf(clusterPids())) seen.set(JSON.stringify(s), s);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ran = await onCluster;
    expect(ran.status, ran.output).toBe(0);
    expect(ran.output).toContain(`running on beam-flink (Flink master ${master})`);
    expect(ran.output).toMatch(/sensor-aggregates: 20,000 records on beam-flink/);
    const { jobs } = await restGet<{ jobs: { name: string; state: string }[] }>('/jobs/overview');
    expect(jobs.map((j) => j.state)).toEqual(['FINISHED']);
    const expected = storeContents(stores.local);
    expect(Object.keys(expected).sort()).toEqual(['embedded.sensor_counts', 'embedded.sensor_events']);
    expect(expected['embedded.sensor_events']).toHaveLength(20_000);
    expect(storeContents(stores.cluster)).toEqual(expected);

    const sockets = [...seen.values()];
    const [jm, tm1, tm2] = clusterPids();
    const listening = (pid: number) => sockets.filter((s) => s.pid === pid && s.state === 'listen');
    // The JobManager's REST and RPC ports were seen (the /proc reading works for these JVMs)…
    expect(listening(jm!).map((s) => s.local.port)).toEqual(
      expect.arrayContaining([rest, Number(env.IDEMFLOW_FLINK_RPC_PORT)]),
    );
    // …and each TaskManager's own servers, plus Beam's Fn API servers in the one that ran the job.
    for (const tm of [tm1!, tm2!]) expect(listening(tm).length, `TaskManager ${tm}`).toBeGreaterThanOrEqual(2);
    expect(Math.max(listening(tm1!).length, listening(tm2!).length)).toBeGreaterThan(
      Math.min(listening(tm1!).length, listening(tm2!).length),
    );
    // Connections too: both ends on loopback (a TaskManager that advertised another address would show here).
    expect(sockets.filter((s) => s.state === 'other').length).toBeGreaterThan(0);
    const offLoopback = sockets.filter(
      (s) => !isLoopback(s.local.address) || (s.state === 'other' && !isLoopback(s.remote.address)),
    );
    expect(offLoopback).toEqual([]);
  }, 600_000);

  it('up restarts a TaskManager killed with SIGKILL, and is a no-op while all three run', async () => {
    const [jm, tm1, tm2] = clusterPids();
    process.kill(tm1!, 'SIGKILL');
    while (pidAlive(tm1!)) await new Promise((r) => setTimeout(r, 100));
    const status = await services('status', 'flink-cluster');
    expect(status.output).toContain(
      `with taskmanager-1 not running, taskmanager-2 (pid ${tm2}) (scripts/services up flink-cluster restarts it)`,
    );
    const up = await services('up', 'flink-cluster');
    expect(up.status, up.output).toBe(0);
    expect(up.output).toMatch(/flink-cluster: starting taskmanager-1 \(pid \d+\)/);
    const [jmAfter, tm1After, tm2After] = clusterPids();
    expect([jmAfter, tm2After]).toEqual([jm, tm2]);
    expect(tm1After).not.toBe(tm1);
    const id = readFileSync(join(clusterRun, 'taskmanager-1.resource-id'), 'utf8');
    const { taskmanagers } = await restGet<{ taskmanagers: { id: string }[] }>('/taskmanagers');
    expect(taskmanagers.map((t) => t.id)).toContain(id);
    const again = await services('up', 'flink-cluster');
    expect(again.output).not.toContain('starting');
    expect(clusterPids()).toEqual([jm, tm1After, tm2]);
  }, 180_000);

  it('down stops all three JVMs and frees the ports', async () => {
    const pids = clusterPids();
    const down = await services('down', 'flink-cluster');
    expect(down.status, down.output).toBe(0);
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false);
    expect(await portOpen(rest, '127.0.0.1')).toBe(false);
    expect((await services('status', 'flink-cluster')).output.trim()).toBe('flink-cluster: stopped');
  }, 120_000);
});
