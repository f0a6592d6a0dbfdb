import { freeNames } from '../analysis/free-names.ts';
import type { FnNode, PipelineNode, SourceLocation } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

/** Every user function of a pipeline, with the step it belongs to and where that step was built. */
function userFunctions(pipeline: PipelineNode): { what: string; fn: FnNode; location?: SourceLocation }[] {
  const found: { what: string; fn: FnNode; location?: SourceLocation }[] = [];
  for (const step of pipeline.steps) {
    if (step.kind === 'Map' || step.kind === 'Filter' || step.kind === 'FlatMap' || step.kind === 'EventTime') {
      found.push({
        what: `.${step.kind === 'EventTime' ? 'withEventTime' : step.kind.charAt(0).toLowerCase() + step.kind.slice(1)}`,
        fn: step.fn,
        location: step.location,
      });
    }
    if (step.kind === 'GroupBy' && step.by.type === 'fn')
      found.push({ what: '.groupBy', fn: step.by.fn, location: step.location });
    if (step.kind === 'Aggregate' && step.custom)
      for (const part of ['init', 'add', 'merge'] as const)
        found.push({ what: `.aggregate ${part}`, fn: step.custom[part], location: step.location });
  }
  for (const column of [...pipeline.sink.key, ...pipeline.sink.values]) {
    if (column.from.type === 'fn')
      found.push({ what: `column \`${column.column}\``, fn: column.from.fn, location: pipeline.sink.location });
  }
  return found;
}

/**
 * Beam's TypeScript SDK ships user functions to its workers as source text;
 * a name the function captures from its module is not there ("x is not
 * defined" at run time), unless registered by hand. idemflow refuses that at
 * check time instead, naming the function and the name.
 */
export default defineRule({
  meta: {
    code: 'IDEM009',
    name: 'closure-captures-free-variable',
    severity: 'error',
    description:
      'A user function captures a variable from its module: Beam serialises functions, and the name is undefined on its workers.',
    messages: {
      captures:
        'The {{what}} function captures {{names}} from its module: Beam ships functions to workers as source, where {{them}} would be undefined.',
    },
    fixes: {
      captures:
        'Inline the value in the function, or carry it in the record with a .map earlier in the pipeline; runners other than Beam are not affected.',
    },
    onlyWhen: 'functionsOnSeparateWorkers',
  },
  check(pipeline, context) {
    for (const { what, fn, location } of userFunctions(pipeline)) {
      const names = freeNames(fn.source);
      if (names.length === 0) continue;
      context.report({
        messageId: 'captures',
        node: { location },
        data: { what, names: names.map((n) => `\`${n}\``).join(', '), them: names.length === 1 ? 'it' : 'they' },
      });
    }
  },
});
