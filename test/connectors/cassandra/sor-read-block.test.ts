import { describe, expect, it } from 'vitest';
import type { types } from 'cassandra-driver';
import { blockSpans, idsOf, isIdAt } from '../../../connectors/cassandra/sor-block-ids.ts';
import { cutBlocks, UndecodableBlock } from '../../../connectors/cassandra/sor-blocks.ts';
import { idHashes } from '../../../connectors/cassandra/sor-copy-hashes.ts';
import { ReadBlock } from '../../../connectors/cassandra/sor-read-block.ts';

/** A block table's row as the reader selects it (the driver's Row is read through `get` alone). */
const rowOf = (events: string, block = 'k') =>
  ({ get: (column: string) => ({ block, written: '7', events })[column] }) as unknown as types.Row;

const parsedIds = (text: string) => (JSON.parse(text) as [string, unknown][]).map(([id]) => id);

/** The hashes JSON.parse's ids give: what the copy check and the partition check must see. */
function hashesOfParsed(text: string): Uint32Array {
  const ids = parsedIds(text);
  const out = new Uint32Array(ids.length * 2);
  ids.forEach((id, i) => idHashes(id, out, i * 2));
  return out;
}

/** Ids with everything that could put a scanner off: escapes, quotes, unicode beyond one code unit, control characters. */
const hardIds = ['plain', 'q"uote', 'back\\slash', '\\"', 'tab\there', '\u0001', 'é', '😀', '\u2028', '', ']', '"],["'];

const neverCalled = () => {
  throw new Error('no block here is bad');
};

describe('a block as the reader holds it: ids hashed where they lie in the JSON, decoded once', () => {
  it('hashes and ids equal those of JSON.parse, whatever the ids hold, with and without escapes in the block', () => {
    const events = hardIds.flatMap((id, i) =>
      [{ v: 'a\\b"c' }, 1, ['"]'], { s: '\\' }].map((value, j) => ({
        eventId: `${id}-${i}-${j}`,
        json: JSON.stringify(value),
      })),
    );
    // One block of ids that need no unescaping (hashed in place), one of all of them.
    const plain = cutBlocks(
      'b',
      events.filter((e) => JSON.stringify(e.eventId) === `"${e.eventId}"`),
    )[0]!.events;
    const all = cutBlocks('b', events)[0]!.events;
    for (const text of [plain, all]) {
      const block = ReadBlock.of('b', rowOf(text), neverCalled)!;
      expect(block.count).toBe(parsedIds(text).length);
      expect([...block.hashes]).toEqual([...hashesOfParsed(text)]);
      expect(block.ids).toEqual(parsedIds(text));
      expect(block.pairs(neverCalled)).toEqual(JSON.parse(text));
    }
    expect(blockSpans(plain)!.escaped).toBe(false);
    expect(blockSpans(all)!.escaped).toBe(true);
  });

  it('an id with an escape after events with backslashes is still unescaped (the look for backslashes moves on)', () => {
    // The first backslash is in the first event; the second id's escape comes after it.
    const text = '[["a",{"v":"\\\\"}],["b\\"c",1],["d",{"w":"\\u00e9"}],["e\\\\f",2]]';
    expect(parsedIds(text)).toEqual(['a', 'b"c', 'd', 'e\\f']);
    const spans = blockSpans(text)!;
    expect(idsOf(text, spans)).toEqual(['a', 'b"c', 'd', 'e\\f']);
    expect(parsedIds(text).every((id, i) => isIdAt(text, spans, i, id))).toBe(true);
    expect([...ReadBlock.of('b', rowOf(text), neverCalled)!.hashes]).toEqual([...hashesOfParsed(text)]);
  });

  it('isIdAt compares in place: another id of the same length, a prefix, a longer one are not the id', () => {
    // A block with no escape (compared in place) and one with an escape (its ids unescaped first).
    for (const text of ['[["abc",1],["xyz",2]]', '[["abc",1],["x\\"y",2]]']) {
      const spans = blockSpans(text)!;
      expect(isIdAt(text, spans, 0, 'abc')).toBe(true);
      for (const other of ['abd', 'ab', 'abcd', '', 'xyz']) expect(isIdAt(text, spans, 0, other), other).toBe(false);
    }
    const escaped = '[["abc",1],["x\\"y",2]]';
    expect(isIdAt(escaped, blockSpans(escaped)!, 1, 'x"y')).toBe(true);
    expect(isIdAt(escaped, blockSpans(escaped)!, 1, 'x\\"y')).toBe(false);
  });

  it('a block in the writer shape that is not JSON is reported by its key when decoded; one in no known shape when read', () => {
    const bad: UndecodableBlock[] = [];
    // The shape holds (so its ids are hashed without decoding), the JSON does not: `tru`, a raw control character.
    for (const text of ['[["a",tru]]', '[["a\u0001",1]]', '[["a",{"v":1}],["b",{"v" 2}]]'])
      expect(ReadBlock.of('b', rowOf(text, `shaped ${text}`), neverCalled)!.pairs((e) => bad.push(e))).toBeUndefined();
    expect(ReadBlock.of('b', rowOf('{"e":1}', 'not pairs'), (e) => bad.push(e))).toBeUndefined();
    expect(bad.map((e) => e.block)).toEqual([
      'shaped [["a",tru]]',
      'shaped [["a\u0001",1]]',
      'shaped [["a",{"v":1}],["b",{"v" 2}]]',
      'not pairs',
    ]);
    expect(bad.every((e) => e instanceof UndecodableBlock && e.bucket === 'b')).toBe(true);
  });

  it('every truncation of a good block is refused: in the shape, it decodes to nothing; out of it, it is reported', () => {
    const good = '[["a",{"v":"]\\""}],["b\\\\",[1,2]],["c","😀"]]';
    expect(parsedIds(good)).toEqual(['a', 'b\\', 'c']);
    for (let end = 0; end < good.length; end++) {
      const bad: UndecodableBlock[] = [];
      const block = ReadBlock.of('b', rowOf(good.slice(0, end)), (e) => bad.push(e));
      expect(
        block?.pairs((e) => bad.push(e)),
        good.slice(0, end),
      ).toBeUndefined();
      expect(bad.length, good.slice(0, end)).toBe(1);
    }
  });
});
