import type { Node } from 'ts-morph';
import type { SourceLocation } from '../ir/index.ts';

/**
 * Where a node starts, 1-based like the stack positions the DSL records at
 * run time; for a method call that is the method's name, so `check` and
 * `lint` point at the same column.
 */
export function locationOf(node: Node): SourceLocation {
  const file = node.getSourceFile();
  const { line, column } = file.getLineAndColumnAtPos(node.getStart());
  return Object.freeze({ file: file.getFilePath(), line, column });
}
