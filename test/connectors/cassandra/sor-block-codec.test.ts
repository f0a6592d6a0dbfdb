import { deflateRawSync } from 'node:zlib';
import type { types } from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { blockText, blockTextOffThread, deflateBlock } from '../../../connectors/cassandra/sor-block-codec.ts';
import { UndecodableBlock } from '../../../connectors/cassandra/sor-blocks.ts';
import { encodeBlocks } from '../../helpers/sor-events.ts';
import { ReadBlock } from '../../../connectors/cassandra/sor-read-block.ts';

const events = Array.from({ length: 500 }, (_, i) => ({
  eventId: `e${i}`,
  event: { eventId: `e${i}`, sensorId: `s${i % 7}`, ts: i * 1_000, note: i % 50 === 0 ? 'ʕ•ᴥ•ʔ "quoted" \\ 😀' : '' },
}));

/** A block table's row as the reader selects it: `events` is a Buffer in the deflated layout, a string in the text one. */
const rowOf = (stored: unknown, block = 'k') =>
  ({ get: (column: string) => ({ block, written: '7', events: stored })[column] }) as unknown as types.Row;

describe("a block's stored form: raw DEFLATE in the deflated-blocks layout, text in the layout before", () => {
  it('a deflated block inflates to its very JSON text (unicode and escapes kept), and is a fraction of it', async () => {
    const [block] = encodeBlocks('b', events);
    const stored = await deflateBlock(block!.events);
    expect(Buffer.isBuffer(stored)).toBe(true);
    expect(stored.length).toBeLessThan(Buffer.byteLength(block!.events) / 3);
    expect(blockText('b', block!.block, stored)).toBe(block!.events);
  });

  it('text (the layout before) is read as it is', () => {
    const [block] = encodeBlocks('b', events);
    expect(blockText('b', block!.block, block!.events)).toBe(block!.events);
  });

  it('bytes that do not inflate: UndecodableBlock naming the bucket and block', () => {
    const read = () => blockText('2024-01-01T00:10/b3', 'k1', Buffer.from('not deflate at all, {}'));
    expect(read).toThrow(UndecodableBlock);
    expect(read).toThrow(/^block \(bucket '2024-01-01T00:10\/b3', block 'k1'\) does not decode: /);
  });

  it('the reader takes either form alike, and reports a block that does not inflate with its key', async () => {
    const [block] = encodeBlocks('b', events);
    const bad: UndecodableBlock[] = [];
    const fromText = ReadBlock.of('b', rowOf(block!.events), (e) => bad.push(e))!;
    const fromBytes = ReadBlock.of('b', rowOf(await deflateBlock(block!.events)), (e) => bad.push(e))!;
    expect(fromBytes.ids).toEqual(fromText.ids);
    expect(fromBytes.hashes).toEqual(fromText.hashes);
    expect(fromBytes.pairs(() => {})).toEqual(fromText.pairs(() => {}));
    expect(ReadBlock.of('b', rowOf(Buffer.from([1, 2, 3]), 'broken'), (e) => bad.push(e))).toBeUndefined();
    // Inflates, but to what is not JSON pairs: reported when decoded, as a text block would be.
    const notPairs = ReadBlock.of('b', rowOf(deflateRawSync('{"e": 1}'), 'not-pairs'), (e) => bad.push(e));
    expect(notPairs?.pairs((e) => bad.push(e))).toBeUndefined();
    expect(bad.map((e) => e.block)).toEqual(['broken', 'not-pairs']);
  });

  it('inflated on the thread pool: the same text as blockText, text passed as it is, bad bytes named', async () => {
    const [block] = encodeBlocks('b', events);
    const stored = await deflateBlock(block!.events);
    expect(await blockTextOffThread('b', block!.block, stored)).toBe(block!.events);
    expect(await blockTextOffThread('b', block!.block, block!.events)).toBe(block!.events);
    const bad = blockTextOffThread('2024-01-01T00:10/b3', 'k1', Buffer.from('not deflate at all, {}'));
    await expect(bad).rejects.toThrow(UndecodableBlock);
    await expect(bad).rejects.toThrow(/^block \(bucket '2024-01-01T00:10\/b3', block 'k1'\) does not decode: /);
  });
});
