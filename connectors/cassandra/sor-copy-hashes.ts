import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Files the hashes are spread over: a file is worked whole, so about 16 bytes an event / 256 at once. */
const files = 256;
/** Hashes a chunk of a file holds in memory (16 bytes each). */
const buffered = 2_048;
/** Hashes held in memory in all (16 MiB): past it every file's chunks are appended to disk. A small read opens no file. */
const inMemory = 1 << 20;
/** A record: two 32-bit halves of the id's hash, two of its partition's token. */
const words = 4;

/**
 * Two 32-bit hashes of an id in one pass (FNV-1a with two primes, each
 * through Murmur3's finalizer), written to `out[at]` and `out[at + 1]`:
 * 64 bits, so at 10⁸ events the chance that two ids look alike somewhere is
 * about 10⁻³. The first is `idHash` (sor-bucket.ts), so a reader that made
 * these for the copy check has the one its partition check needs too.
 */
export function idHashes(eventId: string, out: Uint32Array, at: number): void {
  idHashesIn(eventId, 0, eventId.length, out, at);
}

/** `idHashes` of the id that is `text` from `from` to `to` (a block's JSON, where the id needs no unescaping): no string made. */
export function idHashesIn(text: string, from: number, to: number, out: Uint32Array, at: number): void {
  let a = 0x811c9dc5;
  let b = 0x2f2a8d03;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  out[at] = fmix(a);
  out[at + 1] = fmix(b);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A partition token's two 32-bit halves: a copy's place, as cheap to compare as it is to store. */
export function tokenWords(token: string): [number, number] {
  const t = BigInt.asUintN(64, BigInt(token));
  return [Number(t >> 32n), Number(t & 0xffffffffn)];
}

/**
 * The cheap first look at whether any event id lies in two partitions: each
 * copy a read yields is 16 bytes (a 64-bit hash of its id, its partition's
 * token) kept for one of 256 files by hash, with no string made (in memory
 * up to 16 MiB in all, then appended to the files); at the end each file is
 * worked alone and any hash met in two partitions says
 * "maybe". Only then does a reader pay for the exact tally (`CopyTally`),
 * which also settles a hash collision. Nothing here is needed after a crash.
 */
export class CopyHashes {
  #dir: string | undefined;
  /** Each file's full chunks in memory, then the chunk being filled. */
  readonly #chunks = Array.from({ length: files }, () => [] as Uint32Array[]);
  readonly #current = Array.from({ length: files }, () => new Uint32Array(buffered * words));
  readonly #filled = new Array<number>(files).fill(0);
  #held = 0;
  readonly #scratch = new Uint32Array(2);

  add(tokenHigh: number, tokenLow: number, eventId: string): void {
    idHashes(eventId, this.#scratch, 0);
    this.addHashed(tokenHigh, tokenLow, this.#scratch, 0);
  }

  /** A copy whose id's two hashes (`idHashes`) are at `hashes[at]`, `hashes[at + 1]`: made once for both checks. */
  addHashed(tokenHigh: number, tokenLow: number, hashes: Uint32Array, at: number): void {
    const file = hashes[at + 1]! % files;
    const chunk = this.#current[file]!;
    const to = this.#filled[file]! * words;
    chunk[to] = hashes[at]!;
    chunk[to + 1] = hashes[at + 1]!;
    chunk[to + 2] = tokenHigh;
    chunk[to + 3] = tokenLow;
    if (++this.#filled[file]! < buffered) return;
    this.#chunks[file]!.push(chunk);
    this.#current[file] = new Uint32Array(buffered * words);
    this.#filled[file] = 0;
    if ((this.#held += buffered) >= inMemory) this.#spill();
  }

  /** Every full chunk appended to its file, once a file. */
  #spill(): void {
    this.#dir ??= mkdtempSync(join(tmpdir(), 'idemflow-sor-hashes-'));
    for (let file = 0; file < files; file++) {
      const chunks = this.#chunks[file]!;
      if (chunks.length === 0) continue;
      appendFileSync(this.#path(file), Buffer.concat(chunks.map((c) => new Uint8Array(c.buffer))));
      this.#chunks[file] = [];
    }
    this.#held = 0;
  }

  #path = (file: number) => join(this.#dir!, `${file}.bin`);

  /** A file's records: on disk, then in memory. */
  #records(file: number): Uint32Array {
    const parts: Uint8Array[] = [];
    if (this.#dir && existsSync(this.#path(file))) parts.push(readFileSync(this.#path(file)));
    for (const c of this.#chunks[file]!) parts.push(new Uint8Array(c.buffer));
    parts.push(new Uint8Array(this.#current[file]!.buffer, 0, this.#filled[file]! * words * 4));
    const bytes = Buffer.concat(parts);
    // A copy, so the words are aligned whatever the Buffer's offset in its pool.
    return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }

  /** Whether some id hash was met in two partitions (then ask the exact tally); the hashes are dropped. */
  maybeTwice(): boolean {
    try {
      for (let file = 0; file < files; file++) if (twiceIn(this.#records(file))) return true;
      return false;
    } finally {
      this.remove();
    }
  }

  remove(): void {
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
    for (let file = 0; file < files; file++) {
      this.#chunks[file] = [];
      this.#filled[file] = 0;
    }
  }
}

/**
 * One file's records: any id hash with two tokens. The key is the 53 bits
 * of the hash a file's records do not already share (all of the first half,
 * the top 21 of the second), in an open-addressing table of record numbers:
 * no Map, no number boxed a record.
 */
function twiceIn(records: Uint32Array): boolean {
  const count = records.length / words;
  if (count < 2) return false;
  const mask = 2 ** Math.ceil(Math.log2(count * 2)) - 1;
  const slots = new Int32Array(mask + 1);
  for (let r = 0; r < records.length; r += words) {
    const [high, low] = [records[r]!, records[r + 1]! >>> 11];
    let slot = high & mask;
    let first = slots[slot]! - 1;
    while (first >= 0 && (records[first * words] !== high || records[first * words + 1]! >>> 11 !== low)) {
      slot = (slot + 1) & mask;
      first = slots[slot]! - 1;
    }
    if (first < 0) slots[slot] = r / words + 1;
    else if (records[first * words + 2] !== records[r + 2] || records[first * words + 3] !== records[r + 3])
      return true;
  }
  return false;
}
