import type { SourceFile } from 'ts-morph';
import type { PipelineNode } from '../ir/index.ts';
import { methodCalls } from './find-nodes.ts';
import type { StaticEvaluator } from './static-eval.ts';

const sinkMethod = new Set(['sink']);

/**
 * Every idemflow pipeline a file builds, read without running it: each
 * `.sink(…)` call whose receiver is, statically, a stream that starts at a
 * `source.*` call (through constants, imports and helper functions).
 */
export function pipelinesInFile(file: SourceFile, evaluator: StaticEvaluator): PipelineNode[] {
  const found: PipelineNode[] = [];
  for (const call of methodCalls(file, sinkMethod)) {
    if (call.getArguments().length !== 1) continue;
    const value = evaluator.evaluate(call);
    if (value.type === 'pipeline') found.push(value.node);
  }
  return found;
}
