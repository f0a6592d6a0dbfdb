import { userFunctionLocation } from '../analysis/call-graph/locate-user-function.ts';
import { diskPrograms } from '../analysis/call-graph/program-source.ts';
import { analyzeFunction } from '../analysis/taint.ts';
import { defineRule } from '../rule.ts';

/**
 * A filter that keeps records by the clock or by chance (`Math.random() <
 * 0.1`, `Date.now() - e.ts < 60_000`) before an aggregation: each run keeps
 * other records, so a replay computes other totals and overwrites the right
 * ones with them. Sampling that only decides what to log does not change
 * what the filter returns, and is not reported. A flatMap that returns one
 * record or none by chance is the same filter; the clock in what its records
 * hold is not (the key rules judge where that value goes).
 */
export default defineRule({
  meta: {
    code: 'IDEM016',
    name: 'nondeterministic-filter',
    severity: 'error',
    description:
      'A filter before an aggregation keeps records by the clock or randomness: every replay aggregates other records.',
    messages: {
      filter:
        'This filter keeps records by {{what}} before the aggregation: a replay keeps other records, so it writes other totals over the right ones.',
      flatMap:
        'This flatMap decides how many records it passes on by {{what}} before the aggregation: a replay passes on other records, so it writes other totals over the right ones.',
    },
    fixes: {
      filter:
        'Filter on fields of the event only: sample by a hash of the event id (e.g. hash(e.eventId) % 10 === 0), and drop late events by event time with allowedLateness.',
      flatMap:
        'Decide from fields of the event only: sample by a hash of the event id (e.g. hash(e.eventId) % 10 === 0 ? [e] : []).',
    },
  },
  check(pipeline, context) {
    const programs = context.programs ?? diskPrograms;
    const aggregateAt = pipeline.steps.findIndex((s) => s.kind === 'Aggregate');
    if (aggregateAt < 0) return;
    for (const step of pipeline.steps.slice(0, aggregateAt)) {
      if (step.kind !== 'Filter' && step.kind !== 'FlatMap') continue;
      const at = step.fn.location ?? userFunctionLocation(programs, step.location, { argument: 0 }, step.fn.source);
      const read = analyzeFunction(step.fn.source, new Map(), 0, at, programs);
      // A flatMap keeps or drops records by what decides how many it returns, not by what they hold.
      const taint = step.kind === 'Filter' ? read.result : read.decidedBy;
      if (taint)
        context.report({
          messageId: step.kind === 'Filter' ? 'filter' : 'flatMap',
          node: taint.location ? { location: taint.location } : step,
          data: { what: taint.what },
        });
    }
  },
});
