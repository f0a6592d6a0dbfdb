import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

function writeAndSync(path: string, flags: 'a' | 'w', text: string): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Appends and fsyncs: once this returns, the text survives a crash. */
export function appendDurably(path: string, text: string): void {
  writeAndSync(path, 'a', text);
}

/** Replaces a file so that a crash leaves the old content or the new, never half: temp file, fsync, rename. */
export function writeFileAtomically(path: string, text: string): void {
  const temp = `${path}.tmp`;
  writeAndSync(temp, 'w', text);
  renameSync(temp, path);
}
