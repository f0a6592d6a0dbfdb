import { median } from '../measure.ts';

/** One round of two measured sides: what each gave (events/s, or CPU ms). */
export interface Pair {
  readonly a: number;
  readonly b: number;
}

/**
 * Rounds of the two sides in ABBA order (A B, then B A, then A B, …), so
 * neither always runs first (on a table just written, or in a process not
 * yet warm), and each round's two runs share the same minutes of the
 * machine's load. Returns each round's pair, in round order.
 */
export async function pairedRounds<T>(
  rounds: number,
  a: (round: number) => Promise<T>,
  b: (round: number) => Promise<T>,
): Promise<{ a: T; b: T }[]> {
  const pairs: { a: T; b: T }[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      const first = await a(round);
      pairs.push({ a: first, b: await b(round) });
    } else {
      const first = await b(round);
      pairs.push({ a: await a(round), b: first });
    }
  }
  return pairs;
}

/**
 * The ratio b / a of each round, and their median: a slow minute that falls
 * on one round moves that round's ratio alone, where a ratio of the sides'
 * medians (each taken over different minutes) can be moved by it.
 */
export function pairedRatio(pairs: readonly Pair[]): { median: number; ratios: number[] } {
  if (pairs.length === 0) throw new Error('no rounds to take a ratio of');
  const ratios = pairs.map((p) => p.b / p.a);
  return { median: median(ratios), ratios };
}
