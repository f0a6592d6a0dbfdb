import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import type { PipelineNode } from '../ir/index.ts';
import type { StaticEvaluator } from './static-eval.ts';

/**
 * Every idemflow pipeline a file builds, read without running it: each
 * `.sink(…)` call whose receiver is, statically, a stream that starts at a
 * `source.*` call (through constants, imports and helper functions).
 */
export function pipelinesInFile(file: SourceFile, evaluator: StaticEvaluator): PipelineNode[] {
  const found: PipelineNode[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'sink' || call.getArguments().length !== 1) continue;
    const value = evaluator.evaluate(call);
    if (value.type === 'pipeline') found.push(value.node);
  }
  return found;
}
