/**
 * `npm run bench -- state-stores [--sizes <keys>]`: what a checkpoint of changed keys writes in each embedded
 * store issue 20 named. A store of <keys> entries (default 1,000,000) keyed as `--state disk` keys them, then
 * commits of 1,000 random keys, each durable before the next: the store of `--state disk`
 * (`runners/local/state-store.ts`: a delta log, merged into LMDB every 200,000 entries; 3,000 commits, so that
 * its merges count); LMDB alone, one write transaction a commit, with other page sizes, and committing every
 * 10 batches; LevelDB
 * (`classic-level`, not a dependency of idemflow: `npm install --no-save classic-level@3.0.0` to measure it,
 * skipped otherwise), one `batch(…, { sync: true })` a commit, 3,000 of them so that its compactions count.
 * Each row in a fresh process. Per row: bytes the process passed to write(2) (all its threads: LevelDB's
 * background compactions too) per changed key, and milliseconds per commit. Last line
 * `disk_store_bytes_per_changed_key=<n> lmdb_bytes_per_changed_key=<n> leveldb_bytes_per_changed_key=<n>`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureInChild, reportChild } from './measure.ts';

const self = fileURLToPath(import.meta.url);
const perCommit = 1_000;
/** Not a dependency: named by a variable, so that nothing needs it to compile. */
const levelPackage: string = 'classic-level';

/** Bytes this process (all threads) has passed to write(2) and friends so far (Linux). */
const bytesWritten = () => Number(/wchar:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
const keyText = (k: number) => `ssensor-${k}`;

/**
 * A seeded stream of key numbers: the same commits in every row. The product is taken modulo 2³² (`Math.imul`):
 * as a double it lost its low bits, and the stream cycled through 10,535 keys of a million.
 */
export function randomKeys(keys: number): () => number {
  let seed = 12_345;
  return () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff;
    return seed % keys;
  };
}

interface Outcome {
  readonly written: number;
  readonly ms: number;
  readonly commits: number;
}

interface LmdbLike {
  open(options: object): {
    openDB(name: string): { putSync(key: unknown, value: unknown): void };
    transactionSync(action: () => void): void;
    close(): Promise<void>;
  };
}

async function lmdbRow(dir: string, keys: number, pageSize: number, every: number): Promise<Outcome> {
  const lmdb = (await import('lmdb')) as unknown as LmdbLike;
  const options = { overlappingSync: false, noReadAhead: true, mapSize: 2 ** 40 };
  const root = lmdb.open({ path: join(dir, 'state.mdb'), ...options, pageSize });
  const entries = root.openDB('entries');
  const meta = root.openDB('meta');
  for (let from = 0; from < keys; from += 100_000)
    root.transactionSync(() => {
      for (let k = from; k < Math.min(keys, from + 100_000); k++) entries.putSync([0, keyText(k)], [1]);
    });
  const next = randomKeys(keys);
  const commits = 200;
  const before = bytesWritten();
  const started = performance.now();
  for (let c = 0; c < commits; c += every)
    root.transactionSync(() => {
      for (let i = 0; i < perCommit * every; i++) entries.putSync([0, keyText(next())], [c + 2]);
      meta.putSync('head', `batch ${c}`);
    });
  const ms = performance.now() - started;
  await root.close();
  return { written: bytesWritten() - before, ms, commits };
}

/** The store `--state disk` runs on: LMDB and its delta log, merged every 200,000 entries (state-store.ts). */
async function storeRow(dir: string, keys: number): Promise<Outcome> {
  const { StateStore, loadLmdb, stateStoreLayout } = await import('../runners/local/state-store.ts');
  const store = StateStore.open(await loadLmdb(), dir);
  store.setIdentity({ layout: stateStoreLayout, pipeline: 'bench', pairing: 'bench' });
  const delta = (entries: [string, null, number[]][]) => ({
    kind: 'delta' as const,
    watermark: 0,
    evicted: [],
    entries,
  });
  let batch = 0;
  for (let from = 0; from < keys; from += 100_000) {
    const slice = Array.from({ length: Math.min(keys, from + 100_000) - from }, (_, i) => from + i);
    store.commit(delta(slice.map((k) => [keyText(k).slice(1), null, [1]])), `batch ${++batch}`, batch);
  }
  const next = randomKeys(keys);
  const commits = 3_000;
  const before = bytesWritten();
  const started = performance.now();
  for (let c = 0; c < commits; c++) {
    const entries = Array.from({ length: perCommit }, (): [string, null, number[]] => [
      keyText(next()).slice(1),
      null,
      [c + 2],
    ]);
    store.commit(delta(entries), `batch ${++batch}`, batch);
  }
  const ms = performance.now() - started;
  await store.close();
  return { written: bytesWritten() - before, ms, commits };
}

interface LevelLike {
  open(): Promise<void>;
  batch(ops: { type: 'put'; key: string; value: unknown }[], options?: { sync: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function levelRow(dir: string, keys: number): Promise<Outcome> {
  const { ClassicLevel } = (await import(levelPackage)) as {
    ClassicLevel: new (dir: string, options: object) => LevelLike;
  };
  const db = new ClassicLevel(dir, { valueEncoding: 'json' });
  await db.open();
  const put = (k: number, value: unknown) => ({ type: 'put' as const, key: `0|${keyText(k)}`, value });
  for (let from = 0; from < keys; from += 100_000)
    await db.batch(Array.from({ length: Math.min(keys, from + 100_000) - from }, (_, i) => put(from + i, [1])));
  const next = randomKeys(keys);
  const commits = 3_000;
  const before = bytesWritten();
  const started = performance.now();
  for (let c = 0; c < commits; c++) {
    const ops = Array.from({ length: perCommit }, () => put(next(), [c + 2]));
    await db.batch([...ops, { type: 'put', key: 'meta|head', value: `batch ${c}` }], { sync: true });
  }
  const ms = performance.now() - started;
  await db.close(); // waits for compactions under way: their writes count
  return { written: bytesWritten() - before, ms, commits };
}

/** In the child: `lmdb-<page size>-<commit every>`, `store` or `level`. */
async function child(kind: string, keys: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'idemflow-bench-stores-'));
  try {
    await reportChild(kind, keys, async () => {
      const [store, page, every] = kind.split('-');
      const o =
        store === 'lmdb'
          ? await lmdbRow(dir, keys, Number(page), Number(every))
          : store === 'store'
            ? await storeRow(dir, keys)
            : await levelRow(dir, keys);
      return { check: keys, note: JSON.stringify(o) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: readonly [kind: string, label: string][] = [
  ['store', 'LMDB + delta log (as --state disk)'],
  ['lmdb-4096-1', 'LMDB alone, 4 KiB pages (--state disk before)'],
  ['lmdb-2048-1', 'LMDB, 2 KiB pages'],
  ['lmdb-8192-1', 'LMDB, 8 KiB pages'],
  ['lmdb-4096-10', 'LMDB, 4 KiB pages, a commit every 10 batches'],
  ['level', 'LevelDB (classic-level)'],
];

export async function benchStateStores(options: { sizes?: readonly number[] } = {}): Promise<string> {
  const keys = options.sizes?.[0] ?? 1_000_000;
  const level = await import(levelPackage).then(
    () => true,
    () => false,
  );
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`a store of ${keys} keys; commits of ${perCommit} random keys, each durable before the next`);
  log(`${'store'.padEnd(46)} ${'batches'.padStart(8)} ${'B/changed key'.padStart(14)} ${'ms/batch'.padStart(10)}`);
  const perKey = new Map<string, number>();
  for (const [kind, label] of rows) {
    if (kind === 'level' && !level) {
      log(`${label.padEnd(46)} not installed: npm install --no-save classic-level@3.0.0`);
      continue;
    }
    const o = JSON.parse(measureInChild(self, kind, keys, 1_800_000).note!) as Outcome;
    const changed = o.commits * perCommit;
    perKey.set(kind, o.written / changed);
    log(
      `${label.padEnd(46)} ${String(o.commits).padStart(8)} ${(o.written / changed).toFixed(1).padStart(14)} ${(o.ms / o.commits).toFixed(1).padStart(10)}`,
    );
  }
  const fmt = (kind: string) => perKey.get(kind)?.toFixed(0) ?? 'not run';
  return `disk_store_bytes_per_changed_key=${fmt('store')} lmdb_bytes_per_changed_key=${fmt('lmdb-4096-1')} leveldb_bytes_per_changed_key=${fmt('level')}`;
}

if (process.argv[2] === '--child') await child(process.argv[3]!, Number(process.argv[4]));
