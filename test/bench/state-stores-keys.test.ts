import { describe, expect, it } from 'vitest';
import { randomKeys } from '../../bench/state-stores.ts';

describe('bench state-stores: the random keys it commits', () => {
  it('spread over the store: 3,000 commits of 1,000 keys among a million reach ~95 % of them, as uniform draws do', () => {
    const next = randomKeys(1_000_000);
    const seen = new Set<number>();
    for (let i = 0; i < 3_000_000; i++) seen.add(next());
    // 1 - e^-3 of a million: ~950,000. The stream cycled through 10,535 before.
    expect(seen.size).toBeGreaterThan(900_000);
  });
});
