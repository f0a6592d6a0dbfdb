import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cutBlocks, encodeBlocksAt } from '../../../connectors/cassandra/sor-blocks.ts';
import { encodeBlocks, type EventToArchive } from '../../helpers/sor-events.ts';
import { idHash } from '../../../connectors/cassandra/sor-bucket.ts';
import { SeededRandom } from '../../../runtime/seeded-random.ts';

/** What the writer did before encodeBlocks: the last of an id kept, each event as JSON, then cut. */
function cutAsBefore(bucket: string, events: readonly EventToArchive[], maxBytes?: number) {
  const last = new Map(events.map((e) => [e.eventId, { eventId: e.eventId, json: JSON.stringify(e.event) }]));
  return cutBlocks(bucket, [...last.values()], maxBytes);
}

/** Ids a sort or an escape could trip on, and events of every JSON kind. */
const ids = ['"', '\\', ']', '\u0001', '\u2028', 'é', '😀', '', ' ', 'b', 'a', 'a0', 'A'];
const values: unknown[] = [{ s: '"]],["x",' }, ['\\', { '}': '{' }], 'text', 42, -1.5e-7, null, true, [], {}];

function randomEvents(random: SeededRandom, count: number): EventToArchive[] {
  return Array.from({ length: count }, (_, i) => ({
    // Some ids met twice: of one id twice, the last counts.
    eventId: `${ids[random.int(0, ids.length - 1)]}${random.int(0, count)}`,
    event: { i, v: values[random.int(0, values.length - 1)], at: new Date(1_700_000_000_000 + i) },
  }));
}

describe('encodeBlocks: the blocks of a partition, encoded once', () => {
  it('makes exactly the blocks cutBlocks makes of the events as JSON (keys, text, counts, sizes), one block or many', () => {
    const random = new SeededRandom(1919);
    for (const count of [1, 2, 10, 300, 3_000]) {
      const events = randomEvents(random, count);
      // A block of 256 KiB (the default), and blocks small enough that the events need several.
      for (const maxBytes of [undefined, 2_048, 200]) {
        const encoded = encodeBlocks('b', events, maxBytes);
        expect(encoded).toEqual(cutAsBefore('b', events, maxBytes));
        expect(encoded.reduce((n, b) => n + b.n, 0)).toBe(new Set(events.map((e) => e.eventId)).size);
      }
    }
  });

  it('keeps one block exactly while the JSON stays under the bound, as cutBlocks does: at the bound it cuts', () => {
    const events = [
      { eventId: 'a', event: { v: 'x'.repeat(40) } },
      { eventId: 'b', event: { v: 'y'.repeat(40) } },
    ];
    const [whole] = encodeBlocks('b', events);
    for (const maxBytes of [whole!.bytes - 1, whole!.bytes, whole!.bytes + 1]) {
      const encoded = encodeBlocks('b', events, maxBytes);
      expect(encoded).toEqual(cutAsBefore('b', events, maxBytes));
      expect(encoded).toHaveLength(maxBytes > whole!.bytes ? 1 : 2);
    }
  });

  it('keeps the last event of an id, wherever its copies sit, and leaves the caller its array', () => {
    const events = [
      { eventId: 'k', event: { n: 1 } },
      { eventId: 'a', event: { n: 2 } },
      { eventId: 'k', event: { n: 3 } },
      { eventId: 'a', event: { n: 4 } },
      { eventId: 'k', event: { n: 5 } },
    ];
    const before = [...events];
    const [block] = encodeBlocks('b', events);
    expect(JSON.parse(block!.events)).toEqual([
      ['a', { n: 4 }],
      ['k', { n: 5 }],
    ]);
    expect(block!.bytes).toBe(Buffer.byteLength(block!.events));
    expect(events).toEqual(before);
  });
});

describe('encodeBlocksAt: a partition of a batch given as columns', () => {
  it('makes the blocks cutBlocks makes of the events at those places (ids repeated, escapes, one block or many)', () => {
    const random = new SeededRandom(2019);
    for (const count of [1, 7, 300, 3_000]) {
      const events = randomEvents(random, count);
      const batch = { ids: events.map((e) => e.eventId), events: events.map((e) => e.event) };
      // Two partitions interleaved in the batch, as the writer's grouping by bucket gives them.
      const partitions = [0, 1].map((p) =>
        events.flatMap((_, i) => (i % 3 === p || (p === 1 && i % 3 === 2) ? [i] : [])),
      );
      for (const maxBytes of [undefined, 2_048, 200])
        for (const at of partitions.filter((p) => p.length > 0))
          expect(encodeBlocksAt('b', batch, at, maxBytes)).toEqual(
            cutAsBefore(
              'b',
              at.map((i) => events[i]!),
              maxBytes,
            ),
          );
    }
  });

  it('keeps an event larger than a block in a block of its own, its JSON whole', () => {
    const big = { s: `"]],[["${'é😀\u2028'.repeat(400)}` };
    const batch = { ids: ['a', 'z', 'm', 'a'], events: [{ n: 1 }, { n: 2 }, big, { n: 4 }] };
    const blocks = encodeBlocksAt('b', batch, [0, 1, 2, 3], 1_024);
    const inOrder = [...'amz'].sort((x, y) => idHash(x) - idHash(y));
    const byId = { a: [['a', { n: 4 }]], m: [['m', big]], z: [['z', { n: 2 }]] };
    expect(blocks.map((b) => JSON.parse(b.events) as unknown)).toEqual(inOrder.map((id) => byId[id as 'a']));
    expect(blocks.map((b) => b.bytes)).toEqual(blocks.map((b) => Buffer.byteLength(b.events)));
  });
});

describe('block keys of ids with lone surrogates', () => {
  /** A block's key: a hash of its ids in block order, as a JSON array. */
  const keyAsStored = (ids: readonly string[]) =>
    createHash('sha1').update(JSON.stringify(ids)).digest('hex').slice(0, 24);

  it('gives two ids that differ only in a lone surrogate two blocks, so the later batch overwrites nothing', () => {
    // UTF-8 makes both U+FFFD: one key, and the second batch's block replaced the first's event (lost).
    for (const [a, b] of [
      ['\uD800', '\uD844'],
      ['x\uDC00', 'x\uDFFF'],
      ['\uD83D', '\uDE00'],
    ] as const) {
      const [first] = encodeBlocks('id/b46', [{ eventId: a, event: { n: 1 } }]);
      const [second] = encodeBlocks('id/b46', [{ eventId: b, event: { n: 2 } }]);
      expect(first!.block).not.toBe(second!.block);
      const [cut] = cutBlocks('id/b46', [{ eventId: a, json: '1' }]);
      expect(cut!.block).toBe(first!.block);
    }
  });

  it('keys a block by its ids in block order, the hash of each id then the id (pairs, U+2028, empty, escapes)', () => {
    for (const ids of [['a'], ['', '😀', '\u2028', '"', '\u0001'], ['\uD83D\uDE00x', 'é']]) {
      const events = ids.map((eventId, n) => ({ eventId, event: { n } }));
      const inOrder = [...ids].sort((a, b) => idHash(a) - idHash(b) || (a < b ? -1 : a > b ? 1 : 0));
      expect(encodeBlocks('b', events)[0]!.block).toBe(keyAsStored(inOrder));
    }
  });
});
