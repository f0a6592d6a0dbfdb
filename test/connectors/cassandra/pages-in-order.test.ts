import type { Client } from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { pagesInOrder } from '../../../connectors/cassandra/sor-token-queries.ts';

/** A client whose queries answer pages of `rows` rows (`pages` each), from a list; page `failAt` of a query fails. */
function pagedClient(pages: number, rows: number, failAt?: { query: string; page: number }) {
  const asked: string[] = [];
  const client = {
    execute: async (cql: string, _params: unknown[], options: { pageState?: string }) => {
      const page = Number(options.pageState ?? 0);
      asked.push(`${cql}#${page}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failAt && failAt.query === cql && failAt.page === page) throw new Error(`${cql} page ${page} failed`);
      return {
        rows: Array.from({ length: rows }, (_, i) => `${cql}:${page}:${i}`),
        pageState: page + 1 < pages ? String(page + 1) : undefined,
      };
    },
  } as unknown as Client;
  return { client, asked };
}

const queries: [string, unknown[]][] = [
  ['q1', []],
  ['q2', []],
];

describe("pagesInOrder: a table's rows a page at a time", () => {
  it('gives every page of every query in order, the next one asked for while one is worked', async () => {
    const { client, asked } = pagedClient(3, 2);
    const seen: string[][] = [];
    for await (const page of pagesInOrder(client, queries, 2)) {
      seen.push(page as unknown as string[]);
      // The page after this one is already asked for.
      expect(asked.length).toBe(Math.min(seen.length + 1, 6));
    }
    expect(seen.flat()).toEqual(
      ['q1', 'q2'].flatMap((q) => [0, 1, 2].flatMap((p) => [0, 1].map((i) => `${q}:${p}:${i}`))),
    );
  });

  it('a page that fails is thrown to the reader', async () => {
    const { client } = pagedClient(3, 2, { query: 'q2', page: 1 });
    const read = async () => {
      for await (const _ of pagesInOrder(client, queries, 2));
    };
    await expect(read()).rejects.toThrow('q2 page 1 failed');
  });

  it('a reader that stops early leaves no failure of the page asked ahead unhandled', async () => {
    const { client } = pagedClient(3, 2, { query: 'q1', page: 1 });
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listen);
    try {
      for await (const _ of pagesInOrder(client, queries, 2)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', listen);
    }
    expect(unhandled).toEqual([]);
  });
});
