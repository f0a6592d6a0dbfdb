import ts from 'typescript';
import type { SourceLocation } from '../../ir/index.ts';
import type { ProgramSource } from './program-source.ts';
import { isFunctionNode, type FunctionNode } from './resolve.ts';
import { valueOrigins, type ValueOrigins } from './value-origin.ts';

export interface LocatedFunction {
  readonly fn: FunctionNode;
  readonly origins: ValueOrigins;
}

/**
 * Where a function's own text starts: `export default async function f` from
 * `async`, after `export` and `default` only. Its text is then a function
 * expression that keeps `async`, and the lint's IR, `check`'s lookup and the
 * call graph all place the function at the same line and column.
 */
export function functionTextStart(node: ts.Node, file: ts.SourceFile = node.getSourceFile()): number {
  if (!ts.isFunctionDeclaration(node) || !node.modifiers) return node.getStart(file);
  let start = node.getStart(file);
  for (const m of node.modifiers)
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) start = m.end;
  return start + (/^\s*/.exec(file.text.slice(start))?.[0].length ?? 0);
}

/** The node starting exactly at a 1-based line and column of a file in the program, innermost first. */
export function nodesStartingAt(file: ts.SourceFile, at: SourceLocation): ts.Node[] {
  if (at.line < 1 || at.line > file.getLineStarts().length) return [];
  const pos = file.getPositionOfLineAndCharacter(at.line - 1, at.column - 1);
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (node.pos > pos || node.end <= pos) return;
    if (functionTextStart(node, file) === pos || node.getStart(file) === pos) found.unshift(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * The function written at `at` (where the IR says a user function starts),
 * as a node of a type-checked program: so its helpers, imports and module
 * variables can be followed. Undefined when the file is not readable.
 */
export function functionAt(programs: ProgramSource, at: SourceLocation): LocatedFunction | undefined {
  const program = programs.programOf(at.file);
  const file = program?.getSourceFile(at.file);
  if (!program || !file) return undefined;
  const fn = nodesStartingAt(file, at).find(isFunctionNode);
  return fn ? { fn, origins: valueOrigins(program) } : undefined;
}
