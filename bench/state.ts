/**
 * `npm run bench -- state [--sizes <events>]`: what keyed state costs with a
 * durable checkpoint. Generated events (default 2,000,000) → groupBy → count →
 * an idempotent sink that keeps nothing, on the local runner with
 * `--checkpoint` and the default batch size (1,000), at 10³, 10⁵ and 10⁶ keys,
 * each in a fresh process. Per size: events/s, peak RSS, bytes the process
 * wrote (the kernel's `wchar` for it: the checkpoint folder is all it writes)
 * per changed key per batch (the sink receives exactly the changed keys), and
 * the checkpoint folder's size at the end. Then, at 10⁶ keys, the time a new
 * process takes to resume from that checkpoint (the input has nothing left,
 * so the run is the restore). Last line:
 * `keys_1e6_vs_1e3=<rate ratio> ckpt_bytes_per_changed_key=<at 1e6>`.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtRate, measureInChild, reportChild } from './measure.ts';

const self = fileURLToPath(import.meta.url);
const keyCounts = [1e3, 1e5, 1e6] as const;
const checkpointDir = (keys: number, events: number) => join(tmpdir(), `idemflow-bench-state-${keys}-${events}`);

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

async function child(kind: string, events: number): Promise<void> {
  const [mode, keysText] = kind.split('-');
  const keys = Number(keysText);
  const { sink, source } = await import('../dsl/index.ts');
  const { runLocal } = await import('../runners/local/engine.ts');
  const { EmbeddedStore } = await import('../connectors/embedded/store.ts');
  const dir = checkpointDir(keys, events);
  if (mode === 'run') rmSync(dir, { recursive: true, force: true });
  let changed = 0;
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
      log: () => {},
    });
    const written = bytesWritten() - writtenBefore;
    const note = JSON.stringify({ changed, written, folder: folderBytes(dir), batches: result.batches });
    return { check: result.recordsIn, note };
  });
}

interface Note {
  readonly changed: number;
  readonly written: number;
  readonly folder: number;
  readonly batches: number;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export async function benchState(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const events = options.sizes?.[0] ?? 2_000_000;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`keyed state with --checkpoint: ${fmtRate(events)} generated events → groupBy → count → a no-op idempotent sink`);
  log(
    `${'keys'.padStart(8)} ${'ev/s'.padStart(10)} ${'seconds'.padStart(8)} ${'RSS'.padStart(8)} ${'written'.padStart(10)} ${'B/changed key'.padStart(14)} ${'ckpt folder'.padStart(12)}`,
  );
  const rates = new Map<number, number>();
  const perChangedKey = new Map<number, number>();
  for (const keys of keyCounts) {
    const m = measureInChild(self, `run-${keys}`, events, 3_600_000);
    if (m.check !== events) throw new Error(`${keys} keys: read ${m.check} of ${events} events`);
    const note = JSON.parse(m.note!) as Note;
    rates.set(keys, m.eventsPerSecond);
    perChangedKey.set(keys, note.written / note.changed);
    log(
      `${keys.toExponential(0).padStart(8)} ${fmtRate(m.eventsPerSecond).padStart(10)} ${(m.ms / 1000).toFixed(1).padStart(8)} ${`${m.peakRssMb.toFixed(0)} MB`.padStart(8)} ${mb(note.written).padStart(10)} ${perChangedKey.get(keys)!.toFixed(1).padStart(14)} ${mb(note.folder).padStart(12)}`,
    );
  }
  const largest = keyCounts.at(-1)!;
  const restore = measureInChild(self, `restore-${largest}`, events);
  log(
    `restore at ${largest.toExponential(0)} keys: ${(restore.ms / 1000).toFixed(2)} s, peak RSS ${restore.peakRssMb.toFixed(0)} MB (a fresh process resuming from the checkpoint, nothing left to read)`,
  );
  for (const keys of keyCounts) rmSync(checkpointDir(keys, events), { recursive: true, force: true });
  const ratio = rates.get(largest)! / rates.get(keyCounts[0])!;
  return `keys_1e6_vs_1e3=${ratio.toFixed(2)} ckpt_bytes_per_changed_key=${perChangedKey.get(largest)!.toFixed(0)}`;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
