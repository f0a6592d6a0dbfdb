import ts from 'typescript';
import type { SourceLocation } from '../../ir/index.ts';
import type { ProgramSource } from './program-source.ts';
import { isFunctionNode, type FunctionNode } from './resolve.ts';
import { valueOrigins, type ValueOrigins } from './value-origin.ts';

export interface LocatedFunction {
  readonly fn: FunctionNode;
  readonly origins: ValueOrigins;
}

/** The node starting exactly at a 1-based line and column of a file in the program, innermost first. */
export function nodesStartingAt(file: ts.SourceFile, at: SourceLocation): ts.Node[] {
  if (at.line < 1 || at.line > file.getLineStarts().length) return [];
  const pos = file.getPositionOfLineAndCharacter(at.line - 1, at.column - 1);
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (node.pos > pos || node.end <= pos) return;
    // `export function f` is placed by the lint at `function`, after its modifiers.
    const start =
      ts.isFunctionDeclaration(node) && node.modifiers
        ? node.modifiers.end + (/^\s*/.exec(file.text.slice(node.modifiers.end))?.[0].length ?? 0)
        : node.getStart(file);
    if (start === pos || node.getStart(file) === pos) found.unshift(node);
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
