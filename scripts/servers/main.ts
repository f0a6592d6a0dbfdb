/**
 * `scripts/services up | down | status`: the real Apache Kafka, Apache
 * Cassandra and Beam's Flink job server that integration tests and
 * benchmarks use, fetched from Maven Central with mvn, started on 127.0.0.1
 * with small heaps.
 */
import { cassandra } from './cassandra.ts';
import { flinkJobServer } from './flink-job-server.ts';
import { kafka } from './kafka.ts';
import { down, status, up, type ServiceSpec } from './service.ts';

export const services: readonly ServiceSpec[] = [kafka, cassandra, flinkJobServer];
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
  const chosen = names.length === 0 ? services : services.filter((s) => names.includes(s.name));
  if (names.length > 0 && chosen.length !== names.length) {
    log(`unknown service in ${names.join(' ')} (known: ${services.map((s) => s.name).join(', ')})`);
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
        'usage: scripts/services up|down|status [kafka] [cassandra] [flink-job-server]\n  up      fetch (once) and start, wait until each answers; a no-op for what already runs\n  down    stop cleanly\n  status  what runs on which port',
      );
      return command === undefined || command === '--help' ? 0 : 2;
  }
}
