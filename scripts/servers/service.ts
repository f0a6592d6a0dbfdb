import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, host } from './config.ts';
import { isLoopback, listenersOf, processTree } from './listeners.ts';

/** One server the project runs: how to fetch it, configure it, start it and know it is up. */
export interface ServiceSpec {
  readonly name: string;
  /** The address it listens on and is reached at. */
  readonly host: string;
  readonly port: number;
  /** The pom whose dependencies are the server's classpath. */
  readonly pom: string;
  /** Writes config files into `runDir`; runs once-only setup (e.g. formatting storage). */
  prepare(runDir: string, libDir: string): void | Promise<void>;
  /** The java command line after `java`. */
  javaArgs(runDir: string, libDir: string): string[];
  /** Resolves when the server answers its protocol, not just its port. */
  ready(): Promise<void>;
  /** How long to wait for `ready` (ms). */
  readonly startTimeoutMs: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));

export const paths = (s: ServiceSpec) => {
  const base = join(cacheDir, s.name);
  return {
    base,
    lib: join(base, 'lib'),
    run: join(base, 'run'),
    pid: join(base, 'run', 'pid'),
    log: join(base, 'run', `${s.name}.log`),
  };
};

export function portOpen(port: number, at = host, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: at, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function runningPid(s: ServiceSpec): number | undefined {
  const { pid } = paths(s);
  if (!existsSync(pid)) return undefined;
  const n = Number(readFileSync(pid, 'utf8'));
  return Number.isInteger(n) && pidAlive(n) ? n : undefined;
}

/** Runs a command to its end without blocking the event loop: other services' readiness timers keep running meanwhile. */
export function runAsync(
  command: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      // Only the tail is ever shown; keep memory bounded for chatty builds.
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => resolve({ status: null, output: error.message }));
    child.once('close', (status) => resolve({ status, output }));
  });
}

const tail = (output: string, lines: number) => output.trim().split('\n').slice(-lines).join(' | ');

/**
 * Fetches the server's jars from Maven Central with mvn, once; a marker file
 * says the copy completed. Asynchronous on purpose: a first fetch takes
 * minutes, and a blocking call here froze the readiness wait of a service
 * started beside it (Kafka timed out on a cold machine while Cassandra downloaded).
 */
export async function fetchServer(s: ServiceSpec, log: (l: string) => void): Promise<void> {
  const { lib } = paths(s);
  const marker = join(lib, '.complete');
  if (existsSync(marker)) return;
  if ((await runAsync('mvn', ['-v'])).status !== 0)
    throw new Error('mvn is not installed: it is needed to fetch the servers from Maven Central');
  log(`${s.name}: fetching from Maven Central (once; cached in ${lib})`);
  rmSync(lib, { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });
  const mvn = await runAsync('mvn', [
    '-q',
    '-B',
    '-f',
    join(here, s.pom),
    'dependency:copy-dependencies',
    `-DoutputDirectory=${lib}`,
  ]);
  if (mvn.status !== 0) throw new Error(`${s.name}: mvn failed (exit ${mvn.status}): ${tail(mvn.output, 5)}`);
  if (readdirSync(lib).filter((f) => f.endsWith('.jar')).length === 0)
    throw new Error(`${s.name}: mvn copied no jars into ${lib}`);
  writeFileSync(marker, new Date().toISOString());
}

async function waitReady(s: ServiceSpec, pid: number): Promise<void> {
  const deadline = Date.now() + s.startTimeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) throw new Error(`${s.name} exited while starting; see ${paths(s).log}`);
    if (await portOpen(s.port, s.host)) {
      try {
        await s.ready();
        return;
      } catch (error) {
        last = error;
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(
    `${s.name} did not become ready on ${s.host}:${s.port} within ${s.startTimeoutMs / 1000} s (${last instanceof Error ? last.message : 'port closed'}); see ${paths(s).log}`,
  );
}

/**
 * Holds `up.lock` (our pid) while this process fetches and starts a server.
 * Two `up` calls at once — two test runs begun on a cold machine — would
 * otherwise both fetch and both start java: the loser overwrote the pid file
 * and left a server nobody owned. The second waits for the first, then finds
 * the server running. A lock whose holder died is taken over.
 */
async function withStartLock<T>(
  s: ServiceSpec,
  log: (l: string) => void,
  start: () => Promise<T>,
  retry: () => Promise<T>,
): Promise<T> {
  const { base } = paths(s);
  mkdirSync(base, { recursive: true });
  const lock = join(base, 'up.lock');
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      log(`${s.name}: another "up" (pid ${holder}) is fetching or starting it; waiting`);
      while (existsSync(lock) && pidAlive(holder)) await new Promise((r) => setTimeout(r, 1_000));
      return retry();
    }
  }
  try {
    return await start();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Starts the server unless it already runs; returns whether this call started it. */
export async function up(s: ServiceSpec, log: (l: string) => void): Promise<boolean> {
  if (runningPid(s) === undefined && !(await portOpen(s.port, s.host))) {
    return withStartLock(
      s,
      log,
      () => upUnlocked(s, log),
      () => up(s, log),
    );
  }
  return upUnlocked(s, log);
}

async function upUnlocked(s: ServiceSpec, log: (l: string) => void): Promise<boolean> {
  const existing = runningPid(s);
  if (existing !== undefined) {
    // Ours and alive: running, or still starting (another `up` — a second test run — began it). Never start a second one.
    if (!(await portOpen(s.port, s.host))) {
      log(`${s.name}: already starting (pid ${existing}); waiting until it answers`);
      await waitReady(s, existing);
    }
    log(`${s.name}: already running (pid ${existing}) on ${s.host}:${s.port}`);
    const exposed = exposedListeners(s, existing);
    if (exposed.length > 0) {
      log(
        `${s.name}: WARNING: also listens on ${exposed.join(', ')}: restart it (scripts/services down ${s.name}, then up)`,
      );
    }
    return false;
  }
  if (existing === undefined && (await portOpen(s.port, s.host))) {
    throw new Error(
      `${s.name}: port ${s.host}:${s.port} is taken by another process; stop it or set the port's IDEMFLOW_* variable`,
    );
  }
  await fetchServer(s, log);
  const { lib, run, pid: pidFile, log: logFile } = paths(s);
  mkdirSync(run, { recursive: true });
  await s.prepare(run, lib);
  const out = openSync(logFile, 'a');
  const child = spawn('java', s.javaArgs(run, lib), { cwd: run, detached: true, stdio: ['ignore', out, out] });
  child.unref();
  writeFileSync(pidFile, String(child.pid));
  log(`${s.name}: starting (pid ${child.pid}), log ${logFile}`);
  const started = Date.now();
  await waitReady(s, child.pid!);
  log(`${s.name}: ready on ${s.host}:${s.port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

export async function down(s: ServiceSpec, log: (l: string) => void): Promise<void> {
  const pid = runningPid(s);
  if (pid === undefined) {
    log(`${s.name}: not running`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(paths(s).pid, { force: true });
  log(`${s.name}: stopped`);
}

/**
 * Where the server listens beyond its own address and loopback, as "address:port" (Linux /proc), e.g.
 * a job server that an older idemflow started without the bind agent: it listens on every interface.
 */
export function exposedListeners(s: ServiceSpec, pid: number): string[] {
  return listenersOf(processTree(pid))
    .filter((l) => !isLoopback(l.address) && l.address !== s.host)
    .map((l) => `${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`);
}

export async function status(s: ServiceSpec): Promise<string> {
  const pid = runningPid(s);
  const open = await portOpen(s.port, s.host);
  if (pid !== undefined && open) {
    const exposed = exposedListeners(s, pid);
    const running = `${s.name}: running (pid ${pid}) on ${s.host}:${s.port}`;
    if (exposed.length === 0) return running;
    return `${running}, but also listens on ${exposed.join(', ')}: restart it (scripts/services down ${s.name}, then up)`;
  }
  if (pid !== undefined) return `${s.name}: process ${pid} alive but ${s.host}:${s.port} not answering (starting?)`;
  return open ? `${s.name}: not ours, but ${s.host}:${s.port} is taken` : `${s.name}: stopped`;
}
