import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes every byte of `text` at the descriptor's position, or throws.
 * `writeSync` may write part and return the count — a file-size limit
 * (RLIMIT_FSIZE) or a nearly full disk does — and only the next call fails
 * (EFBIG, ENOSPC): a short write taken as complete would pass half a file for
 * a whole one.
 */
export function writeFully(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let written = 0; written < bytes.length;) {
    const n = writeSync(fd, bytes, written, bytes.length - written);
    if (n <= 0)
      throw Object.assign(new Error(`short write: ${written} of ${bytes.length} bytes, then none`), { code: 'EIO' });
    written += n;
  }
}

/** Makes a directory's entries durable (a file created or renamed in it): without it a crash may lose the name. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends to an open file and fsyncs: once this returns, the text survives a
 * crash. If it throws, the file is cut back to where it was (when the system
 * lets it), so a failed append leaves no partial line for the next one to be
 * glued onto.
 */
export function appendToOpenFile(fd: number, text: string): void {
  const before = fstatSync(fd).size;
  try {
    writeFully(fd, text);
    fsyncSync(fd);
  } catch (error) {
    cutBack(fd, before);
    throw error;
  }
}

/** Appends and fsyncs (see `appendToOpenFile`); a file it creates is made durable in its directory too. */
export function appendDurably(path: string, text: string): void {
  const created = !existsSync(path);
  const fd = openSync(path, 'a');
  try {
    appendToOpenFile(fd, text);
  } finally {
    closeSync(fd);
  }
  if (created) syncDirectory(dirname(path));
}

function cutBack(fd: number, size: number): void {
  try {
    ftruncateSync(fd, size);
    fsyncSync(fd);
  } catch {
    // Readers skip a torn last line, and writers cut it before appending: the failure reported is the write's.
  }
}

/**
 * Replaces a file so that a crash leaves the old content or the new, never
 * half: temp file, every byte written and fsynced, rename, directory fsynced.
 * A write that fails (short, EFBIG, ENOSPC) throws before the rename: the old
 * file stays. `beforeRename` runs with the temp file complete: where crash tests strike.
 */
export function writeFileAtomically(path: string, text: string, beforeRename?: () => void): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeFully(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  beforeRename?.();
  renameSync(temp, path);
  syncDirectory(dirname(path));
}
