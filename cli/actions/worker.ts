import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { format } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBeamWorkerPool } from '../../runners/registry.ts';
import { importUserModule } from '../import-module.ts';
import type { WorkerFlags } from '../commands/worker.ts';

/** `idemflow worker`: serves until SIGINT or SIGTERM, then exits. */
export async function workerAction(flags: WorkerFlags): Promise<void> {
  const serveWorkerPool = await loadBeamWorkerPool();
  const dir = join(tmpdir(), 'idemflow-worker');
  mkdirSync(dir, { recursive: true });
  let logFile = join(dir, `worker-${flags.port}.log`);
  const log = (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}\n`;
    process.stderr.write(stamped);
    appendFileSync(logFile, stamped);
  };
  // Beam's worker prints every control request to the console: that goes to a file of its own.
  const beamLog = createWriteStream(join(dir, `worker-${flags.port}.beam.log`), { flags: 'a' });
  for (const m of ['log', 'info', 'debug', 'warn', 'error'] as const)
    console[m] = (...args: unknown[]) => void beamLog.write(`${format(...args)}\n`);
  const pool = await serveWorkerPool({ host: flags.host, port: flags.port, importModule: importUserModule, log });
  if (flags.port === 0) logFile = join(dir, `worker-${pool.address.split(':').at(-1)}.log`);
  log(`idemflow worker: listening on ${pool.address} (pid ${process.pid}), log ${logFile}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
  await pool.stop();
  log('idemflow worker: stopped');
  // Runs whose SDK workers Flink never stopped still hold connections (Cassandra's keep the event loop alive).
  process.exit(0);
}
