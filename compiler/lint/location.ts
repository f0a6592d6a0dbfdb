import type { Node, SourceFile, ts } from 'ts-morph';
import type { SourceLocation } from '../ir/index.ts';

/** Each file's newline offsets, for a binary search instead of counting from the file's start at every position. */
const newlinesOf = new WeakMap<object, readonly number[]>();

/**
 * The 1-based line and column of a position, exactly as ts-morph's
 * getLineAndColumnAtPos counts them (lines end at "\n"; a column starts
 * after the last "\n" or "\r"), which scans the text from its start on
 * every call: a tenth of a millisecond a position in a 70-line file.
 */
export function lineAndColumnAt(file: SourceFile, pos: number): { line: number; column: number } {
  return lineAndColumnIn(file.compilerNode, pos);
}

function lineAndColumnIn(file: ts.SourceFile, pos: number): { line: number; column: number } {
  const text = file.text;
  let newlines = newlinesOf.get(file);
  if (!newlines) {
    const found: number[] = [];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) found.push(i);
    newlinesOf.set(file, (newlines = found));
  }
  let before = 0;
  for (let high = newlines.length; before < high;) {
    const middle = (before + high) >> 1;
    if (newlines[middle]! < pos) before = middle + 1;
    else high = middle;
  }
  let lineStart = pos;
  while (lineStart > 0) {
    const previous = text.charCodeAt(lineStart - 1);
    if (previous === 10 || previous === 13) break;
    lineStart--;
  }
  return { line: before + 1, column: pos - lineStart + 1 };
}

/**
 * Where a node starts, 1-based like the stack positions the DSL records at
 * run time; for a method call that is the method's name, so `check` and
 * `lint` point at the same column.
 */
export function locationOf(node: Node): SourceLocation {
  const file = node.getSourceFile();
  const { line, column } = lineAndColumnAt(file, node.getStart());
  return Object.freeze({ file: file.getFilePath(), line, column });
}

/** locationOf for a compiler node: the same place, without wrapping it. */
export function rawLocationOf(node: ts.Node): SourceLocation {
  const file = node.getSourceFile();
  const { line, column } = lineAndColumnIn(file, node.getStart(file));
  return Object.freeze({ file: file.fileName, line, column });
}
