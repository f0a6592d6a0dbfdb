import { SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import type { PipelineNode } from '../ir/index.ts';
import { methodCalls } from './find-nodes.ts';
import type { StaticEvaluator } from './static-eval.ts';
import { mayRun } from './untaken-branches.ts';

const sinkMethod = new Set(['sink']);

/** `.sink(…).named('x')`: the call that names the pipeline the sink call finishes, if one follows it. */
function namingCall(call: CallExpression): CallExpression | undefined {
  const access = call.getParentIfKind(SyntaxKind.PropertyAccessExpression);
  const outer = access?.getParentIfKind(SyntaxKind.CallExpression);
  if (!access || access.getName() !== 'named' || outer?.getExpression() !== access) return undefined;
  return namingCall(outer) ?? outer;
}

/**
 * Every idemflow pipeline a file builds, read without running it: each
 * `.sink(…)` call whose receiver is, statically, a stream that starts at a
 * `source.*` call (through constants, imports and helper functions), named as
 * a `.named(…)` after it names it. A sink in a branch no call of its factory
 * takes builds no pipeline (untaken-branches.ts).
 */
export function pipelinesInFile(file: SourceFile, evaluator: StaticEvaluator): PipelineNode[] {
  const found: PipelineNode[] = [];
  for (const call of methodCalls(file, sinkMethod)) {
    if (call.getArguments().length !== 1) continue;
    const value = evaluator.evaluate(call);
    if (value.type !== 'pipeline' || !mayRun(call, evaluator)) continue;
    const naming = namingCall(call);
    const named = naming && evaluator.evaluate(naming);
    found.push(named?.type === 'pipeline' ? named.node : value.node);
  }
  return found;
}
