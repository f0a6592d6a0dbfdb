import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, host } from './config.ts';
import { isLoopback, listenersOf, processTree } from './listeners.ts';
import { livePid, pidAlive, startJava, stopPid } from './processes.ts';

/** A further JVM of a service (a cluster's worker): started and stopped with it, with a pid file and a log of its own. */
export interface MemberSpec {
  readonly name: string;
  /** The java command line after `java`; called just before each start. */
  javaArgs(runDir: string, libDir: string): string[];
}

/** One server the project runs: how to fetch it, configure it, start it and know it is up. */
export interface ServiceSpec {
  readonly name: string;
  /** The address it listens on and is reached at. */
  readonly host: string;
  readonly port: number;
  /** The pom whose dependencies are the server's classpath. */
  readonly pom: string;
  /** Runs from the jars another service fetches (by its name), rather than a copy of its own. */
  readonly jarsOf?: string;
  /** Further JVMs, started beside the main one once it runs (`up` also restarts any that died). */
  readonly members?: readonly MemberSpec[];
  /** Writes config files into `runDir`; runs once-only setup (e.g. formatting storage). */
  prepare(runDir: string, libDir: string): void | Promise<void>;
  /** The java command line after `java`. */
  javaArgs(runDir: string, libDir: string): string[];
  /** Resolves when the server (and every member) answers its protocol, not just its port. */
  ready(runDir: string): Promise<void>;
  /** How long to wait for `ready` (ms). */
  readonly startTimeoutMs: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** What fetching a lib folder needs: its name (the folder) and the pom whose dependencies fill it. */
export type JarSource = Pick<ServiceSpec, 'name' | 'jarsOf' | 'pom'>;

export const paths = (s: Pick<ServiceSpec, 'name' | 'jarsOf'>) => {
  const base = join(cacheDir, s.name);
  return {
    base,
    lib: join(cacheDir, s.jarsOf ?? s.name, 'lib'),
    run: join(base, 'run'),
    pid: join(base, 'run', 'pid'),
    log: join(base, 'run', `${s.name}.log`),
  };
};

/** Where a member's pid and log live: beside the main process's. */
export const memberPaths = (s: ServiceSpec, member: MemberSpec) => ({
  pid: join(paths(s).run, `pid-${member.name}`),
  log: join(paths(s).run, `${member.name}.log`),
});

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

export const runningPid = (s: ServiceSpec): number | undefined => livePid(paths(s).pid);

/** Each member with its pid, when it runs. */
export const memberPids = (s: ServiceSpec) =>
  (s.members ?? []).map((member) => ({ member, pid: livePid(memberPaths(s, member).pid) }));

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
export function fetchServer(s: JarSource, log: (l: string) => void): Promise<void> {
  const { lib } = paths(s);
  if (existsSync(join(lib, '.complete'))) return Promise.resolve();
  // Two services of one `up` may share a lib folder (jarsOf): one fetch, both wait for it.
  let pending = fetching.get(lib);
  if (pending === undefined) {
    pending = fetchInto(s, lib, log).finally(() => fetching.delete(lib));
    fetching.set(lib, pending);
  }
  return pending;
}

const fetching = new Map<string, Promise<void>>();

async function fetchInto(s: JarSource, lib: string, log: (l: string) => void): Promise<void> {
  const marker = join(lib, '.complete');
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
    const dead = memberPids(s).find((m) => m.pid === undefined);
    if (dead)
      throw new Error(`${s.name}: ${dead.member.name} exited while starting; see ${memberPaths(s, dead.member).log}`);
    if (await portOpen(s.port, s.host)) {
      try {
        await s.ready(paths(s).run);
        return;
      } catch (error) {
        last = error;
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(
    `${s.name} did not become ready on ${s.host}:${s.port} within ${s.startTimeoutMs / 1000} s (${last instanceof Error ? last.message : 'port closed'}); see ${logsOf(s)}`,
  );
}

/** The logs to read when the service misbehaves: the main process's, then each member's. */
const logsOf = (s: ServiceSpec) => [paths(s).log, ...(s.members ?? []).map((m) => memberPaths(s, m).log)].join(' and ');

/** Starts each member that does not run (all of them after a fresh start; one killed since, later); returns how many. */
function startMembers(s: ServiceSpec, log: (l: string) => void): number {
  const { lib, run } = paths(s);
  const missing = memberPids(s).filter((m) => m.pid === undefined);
  for (const { member } of missing) {
    const { pid: pidFile, log: logFile } = memberPaths(s, member);
    const pid = startJava(member.javaArgs(run, lib), run, logFile, pidFile);
    log(`${s.name}: starting ${member.name} (pid ${pid}), log ${logFile}`);
  }
  return missing.length;
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

/** Starts the server (and any member that does not run) unless it already runs; returns whether this call started the server. */
export async function up(s: ServiceSpec, log: (l: string) => void): Promise<boolean> {
  const mainDown = runningPid(s) === undefined && !(await portOpen(s.port, s.host));
  if (mainDown || memberPids(s).some((m) => m.pid === undefined)) {
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
    const restarted = startMembers(s, log);
    const answering = await portOpen(s.port, s.host);
    if (!answering) log(`${s.name}: already starting (pid ${existing}); waiting until it answers`);
    if (restarted > 0 || !answering) await waitReady(s, existing);
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
  const pid = startJava(s.javaArgs(run, lib), run, logFile, pidFile);
  log(`${s.name}: starting (pid ${pid}), log ${logFile}`);
  const started = Date.now();
  startMembers(s, log);
  try {
    await waitReady(s, pid);
  } catch (error) {
    // Half a cluster is no use and would hold its ports: a failed start leaves none of its processes running.
    if (s.members !== undefined) await down(s, () => {});
    throw error;
  }
  log(`${s.name}: ready on ${s.host}:${s.port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

/** Stops the members, then the main process: a cluster's workers before its master, so none is left without one. */
export async function down(s: ServiceSpec, log: (l: string) => void): Promise<void> {
  const members = memberPids(s).filter((m) => m.pid !== undefined);
  await Promise.all(members.map(({ member, pid }) => stopPid(pid!, memberPaths(s, member).pid)));
  for (const { member, pid } of members) log(`${s.name}: ${member.name} (pid ${pid}) stopped`);
  const pid = runningPid(s);
  if (pid === undefined) {
    log(`${s.name}: not running`);
    return;
  }
  await stopPid(pid, paths(s).pid);
  log(`${s.name}: stopped`);
}

/**
 * Where the server or its members listen beyond its own address and loopback, as "address:port" (Linux
 * /proc), e.g. a job server that an older idemflow started without the bind agent: it listens on every interface.
 */
export function exposedListeners(s: ServiceSpec, pid: number): string[] {
  const members = memberPids(s).flatMap((m) => (m.pid === undefined ? [] : [m.pid]));
  return listenersOf([pid, ...members].flatMap(processTree))
    .filter((l) => !isLoopback(l.address) && l.address !== s.host)
    .map((l) => `${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`);
}

/** ", with taskmanager-1 (pid 12), taskmanager-2 not running: …" for a service with members; "" without. */
function membersStatus(s: ServiceSpec): string {
  const members = memberPids(s);
  if (members.length === 0) return '';
  const each = members.map(({ member, pid }) =>
    pid === undefined ? `${member.name} not running` : `${member.name} (pid ${pid})`,
  );
  const fix = members.some((m) => m.pid === undefined) ? ` (scripts/services up ${s.name} restarts it)` : '';
  return ` with ${each.join(', ')}${fix}`;
}

export async function status(s: ServiceSpec): Promise<string> {
  const pid = runningPid(s);
  const open = await portOpen(s.port, s.host);
  if (pid !== undefined && open) {
    const exposed = exposedListeners(s, pid);
    const running = `${s.name}: running (pid ${pid}) on ${s.host}:${s.port}${membersStatus(s)}`;
    if (exposed.length === 0) return running;
    return `${running}, but also listens on ${exposed.join(', ')}: restart it (scripts/services down ${s.name}, then up)`;
  }
  if (pid !== undefined) return `${s.name}: process ${pid} alive but ${s.host}:${s.port} not answering (starting?)`;
  if (open) return `${s.name}: not ours, but ${s.host}:${s.port} is taken`;
  const orphans = memberPids(s).filter((m) => m.pid !== undefined);
  if (orphans.length === 0) return `${s.name}: stopped`;
  const still = orphans.map(({ member, pid }) => `${member.name} (pid ${pid})`).join(', ');
  return `${s.name}: stopped, but ${still} still running: scripts/services down ${s.name} stops it`;
}
