import { describe, expect, it } from 'vitest';
import { sinks, source, tumbling } from 'idemflow';
import { freeNames } from '../../../compiler/analysis/free-names.ts';
import { runRules } from '../../../compiler/index.ts';
import rule from '../../../compiler/rules/closure-captures-free-variable.ts';
import { lineOf, readings } from '../../helpers/fixtures.ts';
import { ruleTester } from '../../helpers/rule-tester.ts';

const here = import.meta.url;
const threshold = 2;
const bucketMs = 60_000;
const scale = (v: number) => v * 10;

ruleTester(
  rule,
  {
    valid: [
      {
        name: 'functions of their arguments and globals only',
        pipeline: () =>
          source
            .memory(readings)
            .filter((e) => e.value > 1 && Math.abs(e.value) < Number.MAX_SAFE_INTEGER)
            .map((e) => ({ ...e, day: new Date(e.ts).toISOString().slice(0, 10) }))
            .groupBy('sensorId')
            .count()
            .sink(sinks.memory()),
      },
      {
        name: 'locals, destructuring and inner functions are not captures',
        pipeline: () =>
          source
            .memory(readings)
            .map(({ sensorId, value }) => {
              const double = (x: number) => x * 2;
              const [first] = [value];
              return { sensorId, value: double(first) };
            })
            .groupBy('sensorId')
            .sum('value')
            .sink(sinks.memory()),
      },
      {
        name: 'property names are not captures',
        pipeline: () =>
          source
            .memory(readings)
            .map((e) => ({ threshold: e.value, scale: e.ts }))
            .groupBy('threshold')
            .count()
            .sink(sinks.memory()),
      },
    ],
    invalid: [
      {
        name: 'a filter reading a module constant',
        pipeline: () =>
          source
            .memory(readings)
            .filter((e) => e.value > threshold) // @filter
            .groupBy('sensorId')
            .count()
            .sink(sinks.memory()),
        errors: [{ messageId: 'captures', line: lineOf(here, '@filter') }],
      },
      {
        name: 'a map calling a helper defined in the module',
        pipeline: () =>
          source
            .memory(readings)
            .map((e) => ({ ...e, value: scale(e.value) }))
            .groupBy('sensorId')
            .sum('value')
            .sink(sinks.memory()),
        errors: [{ messageId: 'captures' }],
      },
      {
        name: 'a key function and an event-time function',
        pipeline: () =>
          source
            .memory(readings)
            .withEventTime((e) => e.ts - (e.ts % bucketMs))
            .window(tumbling(60_000))
            .groupBy((e) => `${e.sensorId}/${threshold}`)
            .count()
            .sink(sinks.memory()),
        errors: [{ messageId: 'captures' }, { messageId: 'captures' }],
      },
    ],
  },
  'beam-direct',
);

describe('IDEM009 applies to Beam runners only, and names what is captured', () => {
  const captured = () =>
    source
      .memory(readings)
      .filter((e) => e.value > threshold)
      .groupBy('sensorId')
      .count()
      .sink(sinks.memory());
  it('is silent for the local runner (closures are fine in one process)', () => {
    expect(runRules(captured().ir, [rule], 'local')).toEqual([]);
  });
  it('names the function and the captured name', () => {
    const [d] = runRules(captured().ir, [rule], 'beam-flink');
    expect(d?.message).toBe(
      'The .filter function captures `threshold` from its module: Beam ships functions to workers as source, where it would be undefined.',
    );
  });
  it('free names: parameters, locals, globals and property names are excluded', () => {
    expect(freeNames('(e) => e.x + y')).toEqual(['y']);
    expect(freeNames('function (a, { b, c: d }) { const z = a + b + d; return Math.max(z, limit) }')).toEqual([
      'limit',
    ]);
    expect(freeNames('(e) => { try { return JSON.parse(e) } catch (err) { return fallback(err) } }')).toEqual([
      'fallback',
    ]);
    expect(freeNames('(e) => ({ a: e.a, b: other.b })')).toEqual(['other']);
  });
});
