import { describe, expect, it } from 'vitest';
import { blockIds } from '../../../connectors/cassandra/sor-block-ids.ts';
import { cutBlocks } from '../../../connectors/cassandra/sor-blocks.ts';
import { SeededRandom } from '../../../runtime/seeded-random.ts';

/** Ids and event values a scanner could trip on: quotes, backslashes, brackets and braces inside strings, escapes. */
const hardIds = [
  '"',
  '\\',
  '\\"',
  '"]',
  '[',
  ']',
  '{',
  '}',
  ',',
  'a"b\\',
  '\u0001',
  '\u2028',
  'é',
  '😀',
  '',
  ' ',
  '\\\\"x',
];
const hardValues: unknown[] = [
  { s: '"]],["fake",' },
  ['\\', ']', '[', { '}': '{' }],
  'plain "quoted" ] text',
  42,
  -1.5e-7,
  null,
  true,
  false,
  [],
  {},
  [[[[]]]],
  { nested: { deeper: [{ a: '\\"' }] } },
];

/** A random string over the characters that matter to a JSON scanner. */
function randomText(random: SeededRandom): string {
  const alphabet = ['"', '\\', '[', ']', '{', '}', ',', ':', 'a', '1', ' ', '\n', '\u0000', 'é'];
  return Array.from({ length: random.int(0, 12) }, () => alphabet[random.int(0, alphabet.length - 1)]).join('');
}

const idsOf = (text: string) => (JSON.parse(text) as [string, unknown][]).map(([id]) => id);

describe('blockIds: the ids of a block without decoding its events', () => {
  it('gives exactly the ids JSON.parse gives, for blocks as the writer cuts them, whatever the ids and events hold', () => {
    const events = hardIds.flatMap((id, i) =>
      hardValues.map((value, j) => ({ eventId: `${id}${i}-${j}`, json: JSON.stringify({ id, value }) })),
    );
    const random = new SeededRandom(19);
    for (let i = 0; i < 2_000; i++)
      events.push({
        eventId: randomText(random),
        json: JSON.stringify({ v: randomText(random), w: [randomText(random)] }),
      });
    const unique = [...new Map(events.map((e) => [e.eventId, e])).values()];
    const blocks = cutBlocks('b', unique, 4_096);
    expect(blocks.length).toBeGreaterThan(10);
    for (const b of blocks) expect(blockIds(b.events)).toEqual(idsOf(b.events));
    expect(blockIds('[]')).toEqual([]);
    for (const value of hardValues) expect(blockIds(`[["x",${JSON.stringify(value)}]]`)).toEqual(['x']);
    // Spaces inside an event are part of it: read past, as JSON.parse does.
    expect(blockIds('[["a", { "v" : [ 1 , "]" ] } ]]')).toEqual(['a']);
  });

  it('gives up (undefined) on anything else: other shapes, spaces, truncations, what follows the array', () => {
    const good = '[["a",{"v":"]"}],["b",[1,2]]]';
    expect(blockIds(good)).toEqual(['a', 'b']);
    for (const text of [
      '',
      '{"e":1}',
      '[ ["a",1]]',
      '[["a" ,1]]',
      '[[1,2]]',
      '[["a"]]',
      '[["a",1],]',
      '[["a",1]] ',
      '[["a",1]]x',
      '[["a",1]',
      '"x"',
      '[["a",{"v":"]"}]',
      '[["a",{]]',
      '[["a\\',
      '[["a\\x",1]]',
    ])
      expect(blockIds(text), text).toBeUndefined();
    // Every truncation of a good block is refused (or, at its full length, read whole).
    for (let end = 0; end < good.length; end++)
      expect(blockIds(good.slice(0, end)), good.slice(0, end)).toBeUndefined();
  });
});
