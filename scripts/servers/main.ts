/**
 * `scripts/services up | down | status`: the real Apache Kafka, Apache
 * Cassandra and Beam's Flink job server that integration tests and
 * benchmarks use, fetched from Maven Central with mvn, started on 127.0.0.1
 * with small heaps; and, when named, a Flink session cluster.
 */
import { cassandra } from './cassandra.ts';
import { flinkCluster } from './flink-cluster.ts';
import { flinkJobServer } from './flink-job-server.ts';
import { kafka } from './kafka.ts';
import { down, status, up, type ServiceSpec } from './service.ts';

/** What `scripts/services up` (no names) and the tests' global setup start. */
export const services: readonly ServiceSpec[] = [kafka, cassandra, flinkJobServer];
/**
 * Started only when named: three JVMs (about 2.6 GiB, 10 s or more on two
 * cores) that only the tests which need a cluster, and users who ask, pay for.
 */
export const optionalServices: readonly ServiceSpec[] = [flinkCluster];
const known = [...services, ...optionalServices];
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Starts every service that is not running; returns the ones this call started. */
export async function upAll(only: readonly ServiceSpec[] = services): Promise<ServiceSpec[]> {
  // Start them side by side: Cassandra takes the longest, Kafka meanwhile.
  const started = await Promise.all(only.map(async (s) => ((await up(s, log)) ? s : undefined)));
  return started.filter((s): s is ServiceSpec => s !== undefined);
}

export async function downAll(only: readonly ServiceSpec[] = services): Promise<void> {
  for (const s of only) await down(s, log);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...names] = argv;
  // Without names, `up` starts the usual set; `down` and `status` cover a cluster too, so none is left unseen.
  const all = command === 'up' ? services : known;
  const chosen = names.length === 0 ? all : known.filter((s) => names.includes(s.name));
  if (names.length > 0 && chosen.length !== names.length) {
    log(`unknown service in ${names.join(' ')} (known: ${known.map((s) => s.name).join(', ')})`);
    return 2;
  }
  switch (command) {
    case 'up':
      await upAll(chosen);
      return 0;
    case 'down':
      await downAll(chosen);
      return 0;
    case 'status':
      for (const s of chosen) process.stdout.write(`${await status(s)}\n`);
      return 0;
    default:
      log(
        'usage: scripts/services up|down|status [kafka] [cassandra] [flink-job-server] [flink-cluster]\n  up      fetch (once) and start, wait until each answers; a no-op for what already runs\n  down    stop cleanly\n  status  what runs on which port\n  without names, up starts kafka, cassandra and flink-job-server (flink-cluster, a JobManager and two TaskManagers, only when named); down and status cover all four',
      );
      return command === undefined || command === '--help' ? 0 : 2;
  }
}
