import type ts from 'typescript';
import type { Node } from 'ts-morph';
import { replayContexts, type ReplayContexts } from './replay-contexts.ts';
import { valueOrigins, type ValueOrigins } from './value-origin.ts';

/**
 * The call graph of the program a ts-morph node belongs to, and the node as
 * the compiler sees it. ts-morph bundles its own TypeScript, whose syntax
 * kinds are the compiler's: the graph reads those nodes as they are.
 */
export function graphOf(node: Node): {
  readonly origins: ValueOrigins;
  readonly contexts: ReplayContexts;
  readonly node: ts.Node;
  readonly checker: ts.TypeChecker;
} {
  const program = node.getProject().getProgram().compilerObject as unknown as ts.Program;
  return {
    origins: valueOrigins(program),
    get contexts() {
      return replayContexts(program);
    },
    node: node.compilerNode as unknown as ts.Node,
    checker: program.getTypeChecker(),
  };
}
