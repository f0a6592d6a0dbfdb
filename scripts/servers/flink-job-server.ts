import { bindAgentArgs, buildBindAgent } from './bind-agent.ts';
import { flinkJobPort, jobServerHost } from './config.ts';
import { addOpens } from './flink-cluster.ts';
import type { ServiceSpec } from './service.ts';

/**
 * The arguments of Beam's portable Flink job server: its job API on `port`,
 * the artifact and expansion services on the two ports below it (or any free
 * ones: `sidePorts: 'any'`), and the Flink master it submits to (`[local]`:
 * an embedded Flink in the same JVM), and idemflow's jars beside Beam's
 * (`extraJars`). idemflow's bind agent (built first with
 * `buildBindAgent`) keeps all of them, and the servers each job opens, on
 * loopback: Beam's --job-host alone does not.
 */
export function flinkJobServerArgs(
  lib: string,
  artifactsDir: string,
  port: number,
  master = '[local]',
  sidePorts: 'below' | 'any' = 'below',
  extraJars: readonly string[] = [],
): string[] {
  const side = (offset: number) => (sidePorts === 'any' ? 0 : port - offset);
  return [
    ...bindAgentArgs(lib, jobServerHost),
    ...addOpens,
    '-Xms128m',
    '-Xmx1g',
    '-XX:+UseG1GC',
    '-cp',
    [`${lib}/*`, ...extraJars].join(':'),
    'org.apache.beam.runners.flink.FlinkJobServerDriver',
    `--flink-master=${master}`,
    `--job-host=${jobServerHost}`,
    `--job-port=${port}`,
    `--artifact-port=${side(1)}`,
    `--expansion-port=${side(2)}`,
    `--artifacts-dir=${artifactsDir}`,
  ];
}

/** Beam's Flink job server with an embedded [local] Flink, on `port` (and the two below it). */
export function flinkJobServerOn(port: number): ServiceSpec {
  return {
    name: 'flink-job-server',
    host: jobServerHost,
    port,
    pom: 'flink-job-server-pom.xml',
    startTimeoutMs: 90_000,
    async prepare(_run, lib) {
      await buildBindAgent(lib);
    },
    javaArgs: (run, lib) => flinkJobServerArgs(lib, `${run}/artifacts`, port),
    // The job API opens its port last, once the artifact and expansion services run: open means ready.
    async ready() {},
  };
}

/** The one `scripts/services` runs, shared by tests and `--runner beam-flink`. */
export const flinkJobServer: ServiceSpec = flinkJobServerOn(flinkJobPort);
