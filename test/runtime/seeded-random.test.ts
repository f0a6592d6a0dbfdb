import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../runtime/seeded-random.ts';

describe('SeededRandom', () => {
  it('is deterministic for a seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    expect(Array.from({ length: 20 }, () => a.int(0, 1_000))).toEqual(
      Array.from({ length: 20 }, () => b.int(0, 1_000)),
    );
  });

  it('gives unrelated first draws for neighbouring seeds (the engine reseeds every batch)', () => {
    const firsts = Array.from({ length: 1_000 }, (_, seed) => new SeededRandom(seed).int(0, 999_999));
    // chance(0.05) on the first draw should strike for about 5% of seeds, not for none or all.
    const struck = firsts.filter((v) => v < 50_000).length;
    expect(struck).toBeGreaterThan(20);
    expect(struck).toBeLessThan(90);
    expect(new Set(firsts.map((v) => Math.floor(v / 100_000))).size).toBe(10);
  });

  it('chance(0) draws nothing, so adding a zero fault does not shift the others', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    a.chance(0);
    expect(a.int(0, 1e6)).toBe(b.int(0, 1e6));
  });
});
