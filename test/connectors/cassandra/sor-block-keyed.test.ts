import { describe, expect, it } from 'vitest';
import type { types } from 'cassandra-driver';
import { blockSpans, idsOf } from '../../../connectors/cassandra/sor-block-ids.ts';
import { HeldBlock, StreamedPartition, type StreamVerdict } from '../../../connectors/cassandra/sor-block-stream.ts';
import {
  cutBlocks,
  decodeBlock,
  decodeColumns,
  encodeBlocksAt,
  UndecodableBlock,
} from '../../../connectors/cassandra/sor-blocks.ts';
import { CopyHashes } from '../../../connectors/cassandra/sor-copy-hashes.ts';
import { ReadBlock } from '../../../connectors/cassandra/sor-read-block.ts';
import { SeededRandom } from '../../../runtime/seeded-random.ts';

/** Ids and field names with everything that could put a scanner off: escapes, quotes, brackets, unicode. */
const hardIds = ['plain', 'q"uote', 'back\\slash', 'tab\there', '\u0001', 'é', '😀', '\u2028', '', ']', '"],["', '}'];
const fields = ['eventId', 'id', '"', '\\', 'é', '\u0001', 'events', 'a"b:c,d}'];

/** An event holding its id in `field`, with look-alikes around it: the same name in nested objects, brackets in strings. */
function eventOf(field: string, id: string, random: SeededRandom): Record<string, unknown> {
  const decoys = [{ [field]: 'not-the-id' }, [{ [field]: 1 }], `"${field}":"x"`, 42, null, true, -1.5e-7];
  const event: Record<string, unknown> = { before: decoys[random.int(0, decoys.length - 1)] };
  event[field] = id;
  event.after = { nested: { [field]: [id, '}]'] }, text: '"],["' };
  return event;
}

function batchOf(field: string, count: number, random: SeededRandom) {
  const ids = Array.from({ length: count }, (_, i) => `${hardIds[random.int(0, hardIds.length - 1)]}${i % 50}`);
  return { ids, events: ids.map((id) => eventOf(field, id, random)), idField: field };
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const rowOf = (events: string) =>
  ({ get: (column: string) => ({ block: 'k', written: '7', events })[column] }) as unknown as types.Row;
const neverCalled = () => {
  throw new Error('no block here is bad');
};

describe('keyed blocks: each id stored once, in its event', () => {
  it('stores events keyed by the id field, decoded back to the same [id, event] pairs, ids found in place', () => {
    const random = new SeededRandom(11);
    for (const field of fields)
      for (const count of [1, 3, 200]) {
        const batch = batchOf(field, count, random);
        for (const block of encodeBlocksAt('b', batch, all(count), 2_048)) {
          expect(block.events.startsWith(`{"id":${JSON.stringify(field)},"events":[`)).toBe(true);
          expect(block.bytes).toBe(Buffer.byteLength(block.events));
          const pairs = decodeBlock('b', block.block, block.events);
          expect(pairs.map(([id, event]) => [id, (event as Record<string, unknown>)[field]])).toEqual(
            pairs.map(([id]) => [id, id]),
          );
          const spans = blockSpans(block.events)!;
          expect(idsOf(block.events, spans)).toEqual(pairs.map(([id]) => id));
          const held = new HeldBlock(block.block, 1n, block.events);
          pairs.forEach(([, event], i) => expect(held.eventText(i)).toBe(JSON.stringify(event)));
        }
      }
  });

  it('cuts keyed blocks exactly as it encodes them whole (keys, text, sizes), and keys them as pairs of the same ids', () => {
    const random = new SeededRandom(12);
    for (const count of [1, 7, 300, 2_000]) {
      const batch = batchOf('eventId', count, random);
      const unique = [...new Map(batch.ids.map((id, i) => [id, i])).values()];
      const asEvents = unique.map((i) => ({ eventId: batch.ids[i]!, json: JSON.stringify(batch.events[i]) }));
      for (const maxBytes of [undefined, 2_048, 200]) {
        const keyed = encodeBlocksAt('b', batch, all(count), maxBytes);
        expect(keyed).toEqual(cutBlocks('b', asEvents, maxBytes, 'eventId'));
        // The same ids give the same keys in either form: a replay written in the other overwrites, adds no copy.
        const pairs = encodeBlocksAt('b', { ...batch, idField: undefined }, all(count), maxBytes);
        if (pairs.length === keyed.length) expect(pairs.map((b) => b.block)).toEqual(keyed.map((b) => b.block));
      }
    }
  });

  it('stores pairs when any event does not hold its id as its own string field', () => {
    const inherited = Object.assign(Object.create({ eventId: 'b' }) as object, { v: 1 });
    const unlike: unknown[] = [
      { v: 1 },
      { eventId: 'other' },
      { eventId: 7 },
      ['b'],
      'b',
      null,
      inherited,
      { eventId: 'b', toJSON: () => ({ eventId: 'b' }) },
    ];
    for (const odd of unlike) {
      const batch = { ids: ['a', 'b'], events: [{ eventId: 'a' }, odd], idField: 'eventId' };
      const [block] = encodeBlocksAt('b', batch, [0, 1]);
      expect(block!.events.startsWith('[[')).toBe(true);
    }
  });

  it('keys by a field named __proto__ (an own field of a prototype-less event), read back as JSON.parse defines it', () => {
    const event = Object.create(null) as Record<string, unknown>;
    Object.defineProperty(event, '__proto__', { value: 'p1', enumerable: true, writable: true, configurable: true });
    const [block] = encodeBlocksAt('b', { ids: ['p1'], events: [event], idField: '__proto__' }, [0]);
    expect(block!.events).toBe('{"id":"__proto__","events":[{"__proto__":"p1"}]}');
    expect(decodeBlock('b', 'k', block!.events).map(([id]) => id)).toEqual(['p1']);
    expect(idsOf(block!.events, blockSpans(block!.events)!)).toEqual(['p1']);
  });

  it('finds no ids in place where a keyed block is not in the writer shape, and decodes or reports it as JSON.parse reads it', () => {
    const twice = '{"id":"k","events":[{"k":"a","k":"b"}]}';
    expect(blockSpans(twice)).toBeUndefined();
    // JSON.parse keeps the last: the reader decodes the block whole and takes that id.
    expect(ReadBlock.of('b', rowOf(twice), neverCalled)!.ids).toEqual(['b']);
    for (const bad of [
      '{"id":"k","events":[{"k":1}]}',
      '{"id":"k","events":[{"j":"a"}]}',
      '{"id":"k","events":[["a",{}]]}',
      '{"id":"k","events":[{"k":"a"}],"more":1}',
      '{"id":1,"events":[]}',
      '{"events":[{"k":"a"}]}',
    ]) {
      expect(blockSpans(bad)).toBeUndefined();
      const reported: UndecodableBlock[] = [];
      expect(ReadBlock.of('b', rowOf(bad), (e) => reported.push(e))).toBeUndefined();
      expect(reported[0]).toBeInstanceOf(UndecodableBlock);
    }
    expect(blockSpans('{"id":"k","events":[]}')).toEqual({
      count: 0,
      at: new Int32Array(0),
      escaped: false,
      events: new Int32Array(0),
    });
    expect(blockSpans('{"id":"k","events":[{"k":"a"}]} ')).toBeUndefined();
  });

  it('streams a keyed partition whose replay was cut differently: the copies met again are left out, exact', () => {
    const ids = hardIds.map((id, i) => `${id}${i}`);
    const keyed = (key: string, written: bigint, of: readonly string[]) => {
      const batch = {
        ids: [...of],
        events: of.map((id) => eventOf('id', id, new SeededRandom(id.length))),
        idField: 'id',
      };
      const [block] = encodeBlocksAt('b', batch, all(of.length));
      return { held: new HeldBlock(key, written, block!.events), pairs: decodeBlock('b', key, block!.events) };
    };
    const partition = new StreamedPartition();
    partition.enter('b', '42');
    const verdict: StreamVerdict = { inexact: false };
    const hashes = new CopyHashes();
    const [first, replay] = [keyed('k1', 1n, ids.slice(0, 7)), keyed('k2', 2n, ids.slice(4))];
    partition.repeated(
      first.held,
      first.pairs.map((p) => p[0]),
      hashes,
      verdict,
    );
    const repeated = partition.repeated(
      replay.held,
      replay.pairs.map((p) => p[0]),
      hashes,
      verdict,
    )!;
    const left = replay.pairs.filter((_, i) => repeated[i] === 1).map(([id]) => id);
    expect(left.sort()).toEqual(ids.slice(4, 7).sort());
    expect(verdict.inexact).toBe(false);
  });

  it('decodes either form into columns (repair’s read) exactly as into pairs, and refuses the same blocks', () => {
    const random = new SeededRandom(14);
    for (const idField of ['eventId', '\u0001', undefined]) {
      const batch = { ...batchOf(idField ?? 'eventId', 300, random), idField };
      for (const block of encodeBlocksAt('b', batch, all(300), 4_096)) {
        const pairs = decodeBlock('b', block.block, block.events);
        expect(decodeColumns('b', block.block, block.events)).toEqual([pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
      }
    }
    for (const bad of ['{"id":"k","events":[{"k":1}]}', '[["a"]]', '[[1,{}]]', '{"events":[]}', 'nope'])
      expect(() => decodeColumns('b', 'k', bad)).toThrow(UndecodableBlock);
  });
});
