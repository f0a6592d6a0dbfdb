import { describe, expect, it } from 'vitest';
import { pairedRatio, pairedRounds } from '../../bench/sor/paired.ts';
import { median } from '../../bench/measure.ts';

describe('bench sor: paired rounds and the median of their ratios', () => {
  it('runs the two sides in ABBA order and pairs each round', async () => {
    const calls: string[] = [];
    const side = (name: string) => async (round: number) => {
      calls.push(`${name}${round}`);
      return `${name}${round}`;
    };
    const pairs = await pairedRounds(5, side('a'), side('b'));
    expect(calls).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2', 'b3', 'a3', 'a4', 'b4']);
    expect(pairs).toEqual([0, 1, 2, 3, 4].map((r) => ({ a: `a${r}`, b: `b${r}` })));
  });

  it('takes the median of each round’s ratio b / a, not the ratio of the sides’ medians', () => {
    // Slow minutes struck both sides of rounds 1 and 4, and side b alone in round 3.
    const pairs = [
      { a: 400, b: 200 },
      { a: 100, b: 52 },
      { a: 380, b: 190 },
      { a: 390, b: 60 },
      { a: 120, b: 58 },
    ];
    const { median: ratio, ratios } = pairedRatio(pairs);
    expect(ratios).toEqual([0.5, 0.52, 0.5, 60 / 390, 58 / 120]);
    expect(ratio).toBe(0.5);
    // Apart, each side's median comes from other minutes: 60 / 380.
    expect(median(pairs.map((p) => p.b)) / median(pairs.map((p) => p.a))).toBe(60 / 380);
  });

  it('refuses to take a ratio of no rounds', () => {
    expect(() => pairedRatio([])).toThrow('no rounds');
  });
});
