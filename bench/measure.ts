import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One measurement, as a child process prints it: a JSON line. */
export interface Measurement {
  readonly kind: string;
  readonly events: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
  readonly check: number;
  readonly note?: string;
  /** CPU time (user + system, all threads) the work took: less swayed than `ms` by other work on a shared machine. */
  readonly cpuMs?: number;
}

const tsxLoader = fileURLToPath(new URL('../node_modules/tsx/dist/esm/index.mjs', import.meta.url));

/**
 * Runs `script --child kind events` in a fresh Node process, so that each
 * measurement has its own heap and its own peak RSS, and returns its result.
 */
export function measureInChild(script: string, kind: string, events: number, timeoutMs = 900_000): Measurement {
  const child = spawnSync(process.execPath, ['--import', tsxLoader, script, '--child', kind, String(events)], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"kind"'));
  if (child.status !== 0 || !line) {
    throw new Error(
      `${kind} at ${events} events failed (exit ${child.status ?? child.signal}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  return JSON.parse(line) as Measurement;
}

/** In the child: time `work`, then print the measurement line. */
export async function reportChild(
  kind: string,
  events: number,
  work: () => Promise<{ check: number; note?: string }>,
): Promise<void> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const { check, note } = await work();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const m: Measurement = { kind, events, ms, eventsPerSecond: (events * 1000) / ms, peakRssMb, check, note, cpuMs };
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

const rate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const fmtRate = (n: number) => rate.format(n);
export const fmtRatio = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** The middle element by `key` (the upper one of an even count): the figure a bench keeps from its rounds. */
export function medianBy<T>(xs: readonly T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor(xs.length / 2)]!;
}

export const median = (xs: readonly number[]): number => medianBy(xs, (x) => x);
