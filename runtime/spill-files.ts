import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeLines } from './log-lines.ts';

/** FNV-1a over a string, salted so that a partition split again spreads its lines (the same hash would not). */
export function partitionOf(text: string, salt: number, fanout: number): number {
  let h = (0x811c9dc5 ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % fanout;
}

const flushAt = 1 << 16;

/**
 * Lines spread over `fanout` temporary files, so a job bigger than memory
 * can work one file at a time. Appends are buffered a file at a time
 * (fanout × 64 KiB at most); nothing here needs to survive a crash, a rerun
 * starts over.
 */
export class SpillFiles {
  readonly #dir: string;
  readonly #buffers: string[];
  readonly #lines: number[];

  constructor(
    readonly fanout: number,
    readonly name: string,
    parentDir = tmpdir(),
  ) {
    this.#dir = mkdtempSync(join(parentDir, `idemflow-${name}-`));
    this.#buffers = Array.from({ length: fanout }, () => '');
    this.#lines = Array.from({ length: fanout }, () => 0);
  }

  get dir(): string {
    return this.#dir;
  }

  #path = (part: number) => join(this.#dir, `${part}.jsonl`);

  add(part: number, line: string): void {
    this.#buffers[part] += `${line}\n`;
    this.#lines[part]!++;
    if (this.#buffers[part]!.length >= flushAt) this.#flush(part);
  }

  #flush(part: number): void {
    if (this.#buffers[part] === '') return;
    appendFileSync(this.#path(part), this.#buffers[part]!);
    this.#buffers[part] = '';
  }

  /** Lines added to a partition. */
  count(part: number): number {
    return this.#lines[part]!;
  }

  bytes(part: number): number {
    this.#flush(part);
    try {
      return statSync(this.#path(part)).size;
    } catch {
      return 0;
    }
  }

  /** A partition's lines in the order they were added. */
  async *lines(part: number): AsyncGenerator<string> {
    this.#flush(part);
    yield* completeLines(this.#path(part));
  }

  /** Frees a partition's disk as soon as it has been worked. */
  drop(part: number): void {
    this.#buffers[part] = '';
    rmSync(this.#path(part), { force: true });
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
