/**
 * `npm run bench -- state [--sizes <events>[,<events at 1e7 keys>]] [--only memory|disk]`: what keyed state costs with a
 * durable checkpoint. Generated events (default 2,000,000) → groupBy → count →
 * an idempotent sink that keeps nothing, on the local runner with
 * `--checkpoint` and the default batch size (1,000), at 10³, 10⁵ and 10⁶ keys,
 * each in a fresh process. Per size: events/s (and per CPU-second, which other work on a shared machine sways
 * less), peak RSS, bytes the process
 * wrote (the kernel's `wchar` for it: the checkpoint folder is all it writes)
 * per changed key per batch (the sink receives exactly the changed keys), and
 * the checkpoint folder's size at the end. Then, at 10⁶ keys, the time a new
 * process takes to resume from that checkpoint (the input has nothing left,
 * so the run is the restore). Last line:
 * `keys_1e6_vs_1e3=<rate ratio> ckpt_bytes_per_changed_key=<at 1e6>`.
 *
 * Before those, the same runs with `--state disk` (keyed state in an LMDB
 * store and its delta log, which are the checkpoint), and one at 10⁷ keys (10,000,000 events by
 * default, the second of `--sizes`): events/s, entries held at the end, peak
 * RSS, and what was resident after the last batch, anonymous (the heap) apart from
 * file-backed (LMDB's memory map: pages the kernel may drop at will).
 * `--only disk` runs only those, and ends with
 * `disk_keys_1e6_vs_1e3=<rate ratio> disk_rss_1e7_mb=<peak RSS at 1e7 keys>`;
 * `--only memory` only the others. With `--state disk` too,
 * a fresh process resumes from the 10⁶-key store: the restore time.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtRate, measureInChild, reportChild, type Measurement } from './measure.ts';

const self = fileURLToPath(import.meta.url);
const keyCounts = [1e3, 1e5, 1e6] as const;
const checkpointDir = (mode: string, keys: number, events: number) =>
  join(tmpdir(), `idemflow-bench-state-${mode}-${keys}-${events}`);

/** Bytes this process has passed to write(2) and friends so far (Linux). */
function bytesWritten(): number {
  const line = readFileSync('/proc/self/io', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('wchar:'));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN);
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  return total;
}

/** Resident memory now (Linux): anonymous (the heap, buffers) and file-backed (LMDB's map, code), in bytes. */
function residentNow(): { anon: number; file: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { anon: kb('RssAnon'), file: kb('RssFile') };
}

/**
 * `run-<keys>` and `disk-<keys>` (state in memory or on disk) start afresh; `restore-<keys>` resumes the `run-`
 * folder, `disk-restore-<keys>` the `disk-` one.
 */
async function child(kind: string, events: number): Promise<void> {
  const cut = kind.lastIndexOf('-');
  const mode = kind.slice(0, cut);
  const keys = Number(kind.slice(cut + 1));
  const onDisk = mode.startsWith('disk');
  const { sink, source } = await import('../dsl/index.ts');
  const { runLocal } = await import('../runners/local/engine.ts');
  const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
  const dir = checkpointDir(onDisk ? 'disk' : 'memory', keys, events);
  if (!mode.endsWith('restore')) rmSync(dir, { recursive: true, force: true });
  let changed = 0;
  let entries = 0;
  // Sampled after each batch, while the store is open (closed at the end of the run, its mapping goes).
  let resident = residentNow();
  const pipeline = source
    .generator({ seed: 1, count: events, keys })
    .groupBy('sensorId')
    .count()
    .sink(sink({ name: 'discard', idempotent: true, write: (rows) => void (changed += rows.length) }));
  const writtenBefore = bytesWritten();
  await reportChild(kind, events, async () => {
    const result = await runLocal(pipeline.ir, {
      store: new EmbeddedStore(join(tmpdir(), 'idemflow-bench-state-store')),
      checkpointDir: dir,
      ...(onDisk ? { state: { kind: 'disk' as const } } : {}),
      onProgress: (p) => {
        entries = p.stateEntries;
        resident = residentNow();
      },
      log: () => {},
    });
    const written = bytesWritten() - writtenBefore;
    const { anon, file } = resident;
    const note: Note = { changed, written, folder: folderBytes(dir), batches: result.batches, entries, anon, file };
    return { check: result.recordsIn, note: JSON.stringify(note) };
  });
}

interface Note {
  readonly changed: number;
  readonly written: number;
  readonly folder: number;
  readonly batches: number;
  /** Entries the state held at the end. */
  readonly entries: number;
  /** Resident bytes after the last batch: anonymous, and file-backed. */
  readonly anon: number;
  readonly file: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const log = (s: string) => process.stderr.write(`${s}\n`);

/** One measured run in a fresh process, checked to have read every event. */
function measured(kind: string, events: number): { m: Measurement; note: Note } {
  const m = measureInChild(self, kind, events, 3_600_000);
  if (m.check !== events) throw new Error(`${kind}: read ${m.check} of ${events} events`);
  return { m, note: JSON.parse(m.note!) as Note };
}

/**
 * `--sizes <events>[,<events at 10⁷ keys>]` (default 2,000,000 and 10,000,000);
 * `--only memory` or `--only disk` runs one half.
 */
export async function benchState(
  options: { sizes?: readonly number[]; only?: readonly string[] } = {},
): Promise<string> {
  const events = options.sizes?.[0] ?? 2_000_000;
  const only = options.only?.[0];
  if (only !== undefined && only !== 'memory' && only !== 'disk')
    throw new Error(`state: --only takes memory or disk, not "${only}"`);
  const disk = only === 'memory' ? undefined : benchDiskState(events, options.sizes?.[1] ?? 10_000_000);
  if (only === 'disk') return disk!;
  if (disk !== undefined) log(disk);
  return benchMemoryState(events);
}

/** A fresh process resuming from the checkpoint a run left, with nothing left to read: its run is the restore. */
function logRestore(kind: 'restore' | 'disk-restore', keys: number, events: number): void {
  const restore = measureInChild(self, `${kind}-${keys}`, events);
  log(
    `restore at ${keys.toExponential(0)} keys${kind === 'disk-restore' ? ' (--state disk)' : ''}: ${(restore.ms / 1000).toFixed(2)} s, peak RSS ${restore.peakRssMb.toFixed(0)} MB (a fresh process resuming from the checkpoint, nothing left to read)`,
  );
}

/** Events per CPU-second of the run's process (all its threads). */
const perCpuSecond = (m: Measurement) => (m.events * 1000) / (m.cpuMs ?? Number.NaN);

/**
 * The goal's ratio by CPU time: on a machine shared with other work, wall time moves with their load between two
 * runs minutes apart; CPU time much less (it still counts what is not CPU, such as waits on fsync, as nothing).
 */
const cpuRatioLine = (prefix: string, cpuRates: Map<number, number>) =>
  `${prefix}keys_1e6_vs_1e3 by CPU time: ${(cpuRates.get(1e6)! / cpuRates.get(1e3)!).toFixed(2)}`;

function benchMemoryState(events: number): string {
  log(`keyed state with --checkpoint: ${fmtRate(events)} generated events → groupBy → count → a no-op idempotent sink`);
  log(
    `${'keys'.padStart(8)} ${'ev/s'.padStart(10)} ${'ev/CPU-s'.padStart(10)} ${'seconds'.padStart(8)} ${'RSS'.padStart(8)} ${'written'.padStart(10)} ${'B/changed key'.padStart(14)} ${'ckpt folder'.padStart(12)}`,
  );
  const rates = new Map<number, number>();
  const cpuRates = new Map<number, number>();
  const perChangedKey = new Map<number, number>();
  for (const keys of keyCounts) {
    const { m, note } = measured(`run-${keys}`, events);
    rates.set(keys, m.eventsPerSecond);
    cpuRates.set(keys, perCpuSecond(m));
    perChangedKey.set(keys, note.written / note.changed);
    log(
      `${keys.toExponential(0).padStart(8)} ${fmtRate(m.eventsPerSecond).padStart(10)} ${fmtRate(perCpuSecond(m)).padStart(10)} ${(m.ms / 1000).toFixed(1).padStart(8)} ${`${m.peakRssMb.toFixed(0)} MB`.padStart(8)} ${mb(note.written).padStart(10)} ${perChangedKey.get(keys)!.toFixed(1).padStart(14)} ${mb(note.folder).padStart(12)}`,
    );
  }
  const largest = keyCounts.at(-1)!;
  logRestore('restore', largest, events);
  for (const keys of keyCounts) rmSync(checkpointDir('memory', keys, events), { recursive: true, force: true });
  const ratio = rates.get(largest)! / rates.get(keyCounts[0])!;
  log(cpuRatioLine('', cpuRates));
  return `keys_1e6_vs_1e3=${ratio.toFixed(2)} ckpt_bytes_per_changed_key=${perChangedKey.get(largest)!.toFixed(0)}`;
}

/** The same runs with `--state disk` (an LMDB store and its delta log as the checkpoint), then one at 10⁷ keys for its memory. */
function benchDiskState(events: number, bigEvents: number): string {
  log(
    `keyed state on disk (--state disk, LMDB and its delta log): the same pipeline; RSS is the peak, anon / file what was resident after the last batch`,
  );
  log(
    `${'keys'.padStart(8)} ${'events'.padStart(11)} ${'ev/s'.padStart(10)} ${'ev/CPU-s'.padStart(10)} ${'seconds'.padStart(8)} ${'entries'.padStart(11)} ${'RSS'.padStart(8)} ${'anon'.padStart(8)} ${'file'.padStart(8)} ${'written'.padStart(10)} ${'B/changed key'.padStart(14)} ${'store'.padStart(10)}`,
  );
  const rates = new Map<number, number>();
  const cpuRates = new Map<number, number>();
  let peakAtBig = 0;
  const runs = [...keyCounts.map((k) => [k, events] as const), [1e7, bigEvents] as const];
  // 0 events at 10⁷ keys (`benchState({ sizes: [n, 0] })`) leaves that run out.
  for (const [keys, n] of runs.filter(([, n]) => n > 0)) {
    const { m, note } = measured(`disk-${keys}`, n);
    rates.set(keys, m.eventsPerSecond);
    cpuRates.set(keys, perCpuSecond(m));
    if (keys === 1e7) peakAtBig = m.peakRssMb;
    log(
      `${keys.toExponential(0).padStart(8)} ${fmtRate(n).padStart(11)} ${fmtRate(m.eventsPerSecond).padStart(10)} ${fmtRate(perCpuSecond(m)).padStart(10)} ${(m.ms / 1000).toFixed(1).padStart(8)} ${fmtRate(note.entries).padStart(11)} ${`${m.peakRssMb.toFixed(0)} MB`.padStart(8)} ${`${(note.anon / 1e6).toFixed(0)} MB`.padStart(8)} ${`${(note.file / 1e6).toFixed(0)} MB`.padStart(8)} ${mb(note.written).padStart(10)} ${(note.written / note.changed).toFixed(1).padStart(14)} ${mb(note.folder).padStart(10)}`,
    );
    if (keys === keyCounts.at(-1)) logRestore('disk-restore', keys, n);
    rmSync(checkpointDir('disk', keys, n), { recursive: true, force: true });
  }
  const ratio = rates.get(1e6)! / rates.get(1e3)!;
  log(cpuRatioLine('disk_', cpuRates));
  return `disk_keys_1e6_vs_1e3=${ratio.toFixed(2)} disk_rss_1e7_mb=${bigEvents > 0 ? peakAtBig.toFixed(0) : 'not run'}`;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
