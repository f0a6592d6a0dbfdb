import type { SourceLocation } from '../ir/index.ts';

/**
 * The file position of `offset` characters into `text`, where `text` starts
 * at `start` (1-based line and column, as in diagnostics).
 */
export function offsetLocation(start: SourceLocation, text: string, offset: number): SourceLocation {
  const before = text.slice(0, Math.max(0, offset));
  const lastNewline = before.lastIndexOf('\n');
  const newlines = before.split('\n').length - 1;
  return Object.freeze({
    file: start.file,
    line: start.line + newlines,
    column: lastNewline < 0 ? start.column + before.length : before.length - lastNewline,
  });
}
