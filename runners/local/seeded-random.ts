import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

const resolution = 1_000_000;

/** Deterministic randomness for generators and fault schedules: the same seed, the same run. */
export class SeededRandom {
  readonly #generator: RandomGenerator;

  constructor(seed: number) {
    this.#generator = xoroshiro128plus(seed | 0);
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
