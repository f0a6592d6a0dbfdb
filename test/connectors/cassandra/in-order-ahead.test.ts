import { describe, expect, it } from 'vitest';
import { inOrderAhead } from '../../../connectors/cassandra/in-order-ahead.ts';

async function* itemsOf<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** A start whose results come back in reverse order of starting (each later one sooner), logging what it started. */
function reversedStart(started: number[]) {
  return (n: number) => {
    started.push(n);
    return new Promise<string>((resolve) => setTimeout(() => resolve(`r${n}`), 40 - n * 5));
  };
}

describe('items with a result started ahead, taken in their order', () => {
  it('gives each item with its result in the source order, whatever order the results come back in', async () => {
    const taken: [number, string][] = [];
    for await (const pair of inOrderAhead(itemsOf([0, 1, 2, 3, 4, 5]), reversedStart([]), 3)) taken.push(pair);
    expect(taken).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n, `r${n}`]));
  });

  it('starts at most `depth` items ahead of the one taken', async () => {
    const started: number[] = [];
    const seen: number[][] = [];
    for await (const [n] of inOrderAhead(itemsOf([0, 1, 2, 3, 4, 5, 6]), reversedStart(started), 2))
      seen.push([n, started.length]);
    // Item n is taken once n + 3 items were started (itself and two ahead), or all of them near the end.
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => [n, Math.min(n + 3, 7)]));
  });

  it('a start that failed throws when its item is taken, after the items before it', async () => {
    const start = (n: number) => (n === 2 ? Promise.reject(new Error('block 2 broke')) : Promise.resolve(n * 10));
    const taken: number[] = [];
    const reading = (async () => {
      for await (const [, result] of inOrderAhead(itemsOf([0, 1, 2, 3]), start, 3)) taken.push(result);
    })();
    await expect(reading).rejects.toThrow('block 2 broke');
    expect(taken).toEqual([0, 10]);
  });

  it('a taker that stops early leaves no failure unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const start = (n: number) => (n === 0 ? Promise.resolve(0) : Promise.reject(new Error(`block ${n} broke`)));
      for await (const [n] of inOrderAhead(itemsOf([0, 1, 2, 3]), start, 3)) if (n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
