import { describe, expect, it } from 'vitest';
import { lagText } from '../../cli/progress.ts';

describe('watermark lag', () => {
  const now = Date.UTC(2026, 10, 25, 12);
  it.each([
    [now - 1_500, '1.5s'],
    [now - 30 * 60_000, '30min'],
    [now - 5 * 3_600_000, '5h'],
    [now - 400 * 86_400_000, '400d'],
    [-Infinity, '—'],
  ])('%s → %s', (watermark, text) => expect(lagText(watermark, now)).toBe(text));
});
