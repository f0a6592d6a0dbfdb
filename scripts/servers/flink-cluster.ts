/**
 * A Flink 1.16 session cluster — one JobManager, two TaskManagers, each a
 * JVM of its own — from the jars `flink-job-server` already fetches: Flink's
 * binary distribution is not on Maven Central, but its entry points are in
 * flink-runtime, which Beam's Flink runner depends on. Flink's own scripts
 * (flink-daemon.sh) are not there either, so this does what they do: write
 * flink-conf.yaml, ask BashJavaUtils for each process's memory flags, and
 * start the entry points with them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bindAgentArgs, buildBindAgent } from './bind-agent.ts';
import { flinkRestPort, flinkRpcPort, jobServerHost as host } from './config.ts';
import { kafkaReadJars } from './kafka-read.ts';
import { runAsync, type MemberSpec, type ServiceSpec } from './service.ts';

export interface FlinkClusterPorts {
  /** The JobManager's REST endpoint: what `--flink-master` names. */
  readonly rest: number;
  readonly rpc: number;
}

const taskManagerNames = ['taskmanager-1', 'taskmanager-2'];

/**
 * Flink 1.16 reflects into these JDK packages, and its NetUtils calls sun.net.util's IPAddressUtil (for
 * taskmanager.host 127.0.0.1); Java 17 refuses both unless opened (1.16's scripts predate Java 17). A job
 * server translating a streaming job needs them too (Flink's ClosureCleaner, on String's fields).
 */
export const addOpens = [
  ...['java.lang', 'java.util', 'java.net', 'java.io', 'java.nio', 'sun.nio.ch'].flatMap((p) => [
    '--add-opens',
    `java.base/${p}=ALL-UNNAMED`,
  ]),
  '--add-exports',
  'java.base/sun.net.util=ALL-UNNAMED',
];

/** Log lines with the time of day: a TaskManager killed mid-job is read from these. */
const logging = ['-Dorg.slf4j.simpleLogger.showDateTime=true', '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS'];

/** flink-conf.yaml: everything on 127.0.0.1 (bound and advertised), small memory, ports other than these two free. */
export function flinkConf(run: string, ports: FlinkClusterPorts): string {
  return [
    '# Written by scripts/services (flink-cluster) at each start: edits here are overwritten.',
    `jobmanager.rpc.address: ${host}`,
    `jobmanager.rpc.port: ${ports.rpc}`,
    `jobmanager.bind-host: ${host}`,
    `rest.address: ${host}`,
    `rest.bind-address: ${host}`,
    `rest.port: ${ports.rest}`,
    `taskmanager.host: ${host}`,
    `taskmanager.bind-host: ${host}`,
    'taskmanager.numberOfTaskSlots: 2',
    // A job of parallelism 2 takes a slot on each TaskManager, not both of one: with one SDK worker a TaskManager
    // (--environment external), that is what spreads its bundles over two workers.
    'cluster.evenly-spread-out-slots: true',
    'parallelism.default: 1',
    // Beam's classes are on every process's classpath (the lib folder): loaded once there, not again by each
    // job's own class loader, whose copies would fill the metaspace of a cluster that runs many jobs.
    'classloader.resolve-order: parent-first',
    `io.tmp.dirs: ${join(run, 'tmp')}`,
    `web.tmpdir: ${join(run, 'tmp')}`,
    `blob.storage.directory: ${join(run, 'blobs')}`,
    'jobmanager.memory.process.size: 640m',
    'jobmanager.memory.jvm-metaspace.size: 192m',
    'jobmanager.memory.jvm-overhead.min: 64m',
    'jobmanager.memory.jvm-overhead.max: 64m',
    // 1 GiB a TaskManager: Flink's 128m framework heap and off-heap, 64m network and managed memory, a 256m
    // metaspace (Beam's classes are many) and 96m overhead leave 288m of heap for the tasks.
    'taskmanager.memory.process.size: 1024m',
    'taskmanager.memory.managed.size: 64m',
    'taskmanager.memory.network.min: 64m',
    'taskmanager.memory.network.max: 64m',
    'taskmanager.memory.jvm-metaspace.size: 256m',
    'taskmanager.memory.jvm-overhead.min: 96m',
    'taskmanager.memory.jvm-overhead.max: 96m',
    '',
  ].join('\n');
}

type ResourceKind = 'jobmanager' | 'taskmanager';
interface Resources {
  /** JVM flags: heap, direct memory, metaspace. */
  readonly jvm: string[];
  /** `-D key=value` pairs for the entry point: the memory sizes Flink derived, which a TaskManager checks. */
  readonly dynamic: string[];
}

const resultPrefix = 'BASH_JAVA_UTILS_EXEC_RESULT:';

/** What flink-daemon.sh asks BashJavaUtils for: line 1 the JVM flags, line 2 the `-D` settings. */
async function computeResources(kind: ResourceKind, run: string, lib: string): Promise<Resources> {
  const command = kind === 'jobmanager' ? 'GET_JM_RESOURCE_PARAMS' : 'GET_TM_RESOURCE_PARAMS';
  const result = await runAsync('java', [
    ...addOpens,
    '-cp',
    `${lib}/*`,
    'org.apache.flink.runtime.util.bash.BashJavaUtils',
    command,
    '--configDir',
    run,
  ]);
  const lines = result.output
    .split('\n')
    .filter((l) => l.startsWith(resultPrefix))
    .map((l) => l.slice(resultPrefix.length).trim());
  if (result.status !== 0 || lines.length === 0) {
    const tail = result.output.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`flink-cluster: Flink's BashJavaUtils ${command} failed (exit ${result.status}): ${tail}`);
  }
  const words = (line: string | undefined) => (line ?? '').split(/\s+/).filter((w) => w !== '');
  return { jvm: words(lines[0]), dynamic: words(lines[1]) };
}

const resourcesFile = (run: string, kind: ResourceKind) => join(run, `${kind}-resources.json`);
const readResources = (run: string, kind: ResourceKind) =>
  JSON.parse(readFileSync(resourcesFile(run, kind), 'utf8')) as Resources;
const resourceIdFile = (run: string, name: string) => join(run, `${name}.resource-id`);

const entryPoints: Record<ResourceKind, string> = {
  jobmanager: 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
  taskmanager: 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
};

/** Jars beside Beam's on every process's classpath: idemflow's streaming Kafka read (kafka-read.ts says why). */
const extraJarsFile = (run: string) => join(run, 'extra-jars.json');
const readExtraJars = (run: string) => JSON.parse(readFileSync(extraJarsFile(run), 'utf8')) as string[];

/** The java command line of a JobManager or TaskManager, as flink-daemon.sh would build it, plus the bind agent. */
function flinkProcessArgs(kind: ResourceKind, run: string, lib: string, settings: readonly string[] = []): string[] {
  const { jvm, dynamic } = readResources(run, kind);
  return [
    ...bindAgentArgs(lib, host),
    ...jvm,
    ...addOpens,
    ...logging,
    '-cp',
    [`${lib}/*`, ...readExtraJars(run)].join(':'),
    entryPoints[kind],
    '--configDir',
    run,
    ...dynamic,
    ...settings,
  ];
}

function taskManager(name: string): MemberSpec {
  return {
    name,
    javaArgs(run, lib) {
      // A fresh id each start: the JobManager lists a killed TaskManager until its heartbeat times out, and
      // `ready` must see the one that replaced it.
      const id = `${name}-${Date.now().toString(36)}`;
      writeFileSync(resourceIdFile(run, name), id);
      return flinkProcessArgs('taskmanager', run, lib, ['-D', `taskmanager.resource-id=${id}`]);
    },
  };
}

/** The resource ids of the TaskManagers the JobManager has registered, from its REST API. */
export async function registeredTaskManagers(rest: number): Promise<string[]> {
  const response = await fetch(`http://${host}:${rest}/taskmanagers`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET /taskmanagers: HTTP ${response.status}`);
  const body = (await response.json()) as { taskmanagers: { id: string }[] };
  return body.taskmanagers.map((t) => t.id);
}

/** The cluster as a service: the JobManager is its main process, the TaskManagers its members. */
export function flinkClusterOn(ports: FlinkClusterPorts): ServiceSpec {
  return {
    name: 'flink-cluster',
    host,
    port: ports.rest,
    pom: 'flink-job-server-pom.xml',
    jarsOf: 'flink-job-server',
    startTimeoutMs: 120_000,
    members: taskManagerNames.map(taskManager),
    async prepare(run, lib) {
      // Flink binds its RPC, blob and data servers with options of its own; the bind agent holds the rest
      // (Beam's Fn API servers, which each job opens inside the TaskManagers) to loopback too.
      await buildBindAgent(lib);
      mkdirSync(join(run, 'tmp'), { recursive: true });
      writeFileSync(join(run, 'flink-conf.yaml'), flinkConf(run, ports));
      for (const kind of ['jobmanager', 'taskmanager'] as const)
        writeFileSync(resourcesFile(run, kind), JSON.stringify(await computeResources(kind, run, lib)));
      const log = (line: string) => process.stderr.write(`${line}\n`);
      writeFileSync(extraJarsFile(run), JSON.stringify(await kafkaReadJars(lib, log)));
    },
    javaArgs: (run, lib) => flinkProcessArgs('jobmanager', run, lib),
    // Ready once the REST endpoint lists every TaskManager started for it: then a job finds its slots.
    async ready(run) {
      const expected = taskManagerNames.map((name) => readFileSync(resourceIdFile(run, name), 'utf8'));
      const registered = await registeredTaskManagers(ports.rest);
      const missing = expected.filter((id) => !registered.includes(id));
      if (missing.length > 0) throw new Error(`TaskManagers not registered yet: ${missing.join(', ')}`);
    },
  };
}

/** The one `scripts/services up flink-cluster` runs: REST on 8081, RPC on 6123 (IDEMFLOW_FLINK_REST_PORT, _RPC_PORT). */
export const flinkCluster: ServiceSpec = flinkClusterOn({ rest: flinkRestPort, rpc: flinkRpcPort });
