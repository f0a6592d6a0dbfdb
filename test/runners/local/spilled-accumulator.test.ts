import { describe, expect, it } from 'vitest';
import { aggregatorFor } from '../../../runtime/aggregators.ts';
import { decodeAccumulator, encodeAccumulator } from '../../../runners/local/spilled-accumulator.ts';

const throughLine = (acc: unknown) => decodeAccumulator(JSON.parse(JSON.stringify(encodeAccumulator(acc))));

describe('an accumulator written to a repair spill line and read back', () => {
  it('keeps the numbers JSON cannot write, however deep', () => {
    expect(throughLine(Infinity)).toBe(Infinity);
    expect(throughLine(-Infinity)).toBe(-Infinity);
    expect(throughLine(NaN)).toBeNaN();
    expect(throughLine([1, NaN, [Infinity]])).toEqual([1, NaN, [Infinity]]);
    expect(throughLine({ low: -Infinity, n: 3, tags: ['a'], none: null })).toEqual({
      low: -Infinity,
      n: 3,
      tags: ['a'],
      none: null,
    });
    // Plain JSON would have made these null, which a merge counts as 0.
    expect(JSON.parse(JSON.stringify([Infinity]))).toEqual([null]);
  });

  it('merges as the accumulator it was: a min over a NaN field stays NaN, not 0', () => {
    const min = aggregatorFor({ kind: 'Aggregate', op: 'min', field: 'v' } as never);
    const part = min.add(min.init(), { v: 'not a number' });
    expect(min.merge(throughLine(part), min.add(min.init(), { v: 5 }))).toBeNaN();
    expect(min.merge(throughLine(min.init()), min.add(min.init(), { v: 5 }))).toBe(5);
  });
});
