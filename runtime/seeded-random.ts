import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

const resolution = 1_000_000;

/**
 * Spreads nearby seeds (1, 2, 3…, or a batch number) over the whole 32-bit
 * range (murmur3's finaliser): xoroshiro's first outputs for small, close
 * seeds are nearly equal, which made every batch's first fault draw alike.
 */
function mixSeed(seed: number): number {
  let h = seed | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Deterministic randomness for generators and fault schedules: the same seed, the same run. */
export class SeededRandom {
  readonly #generator: RandomGenerator;

  constructor(seed: number) {
    this.#generator = xoroshiro128plus(mixSeed(seed));
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.#generator);
  }

  /** True with probability p. Draws nothing when p is 0, so adding a zero fault does not shift the others. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    return this.int(0, resolution - 1) < p * resolution;
  }
}
