import { describe, expect, it } from 'vitest';
import { speedVerdict, verdictMark } from '../../../bench/strategies/report.ts';

describe('the cheat sheet speed verdict', () => {
  it('classes a row by its share of the fastest row, with 0.6 as the line', () => {
    expect(speedVerdict({ speed: 'fast' }, { eventsPerSecond: 80 }, 100)).toMatchObject({
      agrees: true,
      borderline: false,
    });
    expect(speedVerdict({ speed: 'fast' }, { eventsPerSecond: 40 }, 100)).toMatchObject({
      agrees: false,
      borderline: false,
    });
    expect(speedVerdict({ speed: 'slow' }, { eventsPerSecond: 40 }, 100)).toMatchObject({
      agrees: true,
      borderline: false,
    });
  });

  it('marks a ratio within 0.05 of the line as borderline on either side, and says why', () => {
    // 31,204 of 52,133 (0.599): the 2026-12-04 run flipped aggregates-direct on this margin.
    const below = speedVerdict({ speed: 'fast' }, { eventsPerSecond: 31_204 }, 52_133);
    expect(below).toMatchObject({ agrees: false, borderline: true });
    expect(verdictMark(below)).toBe('≈ refutes, borderline');
    expect(below.text).toContain('another run may class it the other way');
    const above = speedVerdict({ speed: 'fast' }, { eventsPerSecond: 63 }, 100);
    expect(verdictMark(above)).toBe('≈ agrees, borderline');
    expect(verdictMark(speedVerdict({ speed: 'fast' }, { eventsPerSecond: 66 }, 100))).toBe('✔ agrees');
  });
});
