import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../runners/local/read-ahead.ts';

/** 0..n-1, counting how many were pulled and whether it was closed. */
function counted(n: number, failAt = -1) {
  const seen = { pulled: 0, closed: false };
  async function* items() {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error(`item ${i} failed`);
        seen.pulled++;
        yield i;
      }
    } finally {
      seen.closed = true;
    }
  }
  return { seen, items: items() };
}

const all = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('readAhead', () => {
  it('reads up to its limit before it is consumed, then hands every item on once, in order', async () => {
    const { seen, items } = counted(1_000);
    const ahead = readAhead(items, 300);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.pulled).toBe(300);
    expect(await all(ahead)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(seen.closed).toBe(true);
  });

  it('a source shorter than the limit is read to its end at once', async () => {
    const { seen, items } = counted(5);
    const ahead = readAhead(items, 300);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.closed).toBe(true);
    expect(await all(ahead)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a failure while reading ahead, or after, is thrown to the consumer', async () => {
    await expect(all(readAhead(counted(1_000, 7).items, 300))).rejects.toThrow('item 7 failed');
    await expect(all(readAhead(counted(1_000, 700).items, 300))).rejects.toThrow('item 700 failed');
  });

  it('with a size an item (pages of rows), reads ahead until that many rows are held', async () => {
    const pulled: number[][] = [];
    async function* pages() {
      for (let p = 0; p < 10; p++) {
        const page = Array.from({ length: 40 }, (_, i) => p * 40 + i);
        pulled.push(page);
        yield page;
      }
    }
    const ahead = readAhead(pages(), 100, (page) => page.length);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // 3 pages make 120 rows, the first count past 100: held, and no more.
    expect(pulled).toHaveLength(3);
    expect((await all(ahead)).flat()).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('closed unconsumed, the source is closed too', async () => {
    const { seen, items } = counted(1_000);
    await readAhead(items, 300).close();
    expect(seen.closed).toBe(true);
    expect(seen.pulled).toBe(300);
  });
});
