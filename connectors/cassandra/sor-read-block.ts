import type { types } from 'cassandra-driver';
import { blockText } from './sor-block-codec.ts';
import { blockSpans, idsOf, isIdAt, type BlockSpans } from './sor-block-ids.ts';
import { decodeBlock, UndecodableBlock } from './sor-blocks.ts';
import { idHashes, idHashesIn } from './sor-copy-hashes.ts';

/** The two hashes of each id (`idHashes`), id i at 2i: from where the ids lie in the JSON when they need no unescaping. */
function hashesOf(text: string, spans: BlockSpans | undefined, ids: () => readonly string[]): Uint32Array {
  if (spans && !spans.escaped) {
    const hashes = new Uint32Array(spans.count * 2);
    for (let i = 0; i < spans.count; i++) idHashesIn(text, spans.at[i * 2]!, spans.at[i * 2 + 1]!, hashes, i * 2);
    return hashes;
  }
  const all = ids();
  const hashes = new Uint32Array(all.length * 2);
  for (let i = 0; i < all.length; i++) idHashes(all[i]!, hashes, i * 2);
  return hashes;
}

/**
 * One block of a partition as read: its key, write time and JSON, and the
 * hashes of its ids, made once for the partition's check and the copy check
 * alike, from where the ids lie in the JSON (`blockSpans`), with no string
 * made. The ids themselves are made only when asked (the copies of a replay
 * to sort out, a read in id order); repair takes them from the decode.
 */
export class ReadBlock {
  #ids: readonly string[] | undefined;

  private constructor(
    readonly bucket: string,
    readonly block: string,
    readonly written: bigint,
    readonly text: string,
    readonly count: number,
    readonly spans: BlockSpans | undefined,
    /** Decoded when read: a block not in the writer's shape (JSON.parse was the only way to its ids). */
    readonly decodedAtRead: [string, unknown][] | undefined,
    readonly hashes: Uint32Array,
  ) {}

  /** A row of a block table as read; undefined (reported) when it is not in the writer's shape and does not decode. */
  static of(bucket: string, row: types.Row, onBadBlock: (error: UndecodableBlock) => void): ReadBlock | undefined {
    const block = String(row.get('block'));
    const written = BigInt(String(row.get('written')));
    let text: string;
    try {
      text = blockText(bucket, block, row.get('events'));
    } catch (error) {
      if (!(error instanceof UndecodableBlock)) throw error;
      onBadBlock(error);
      return undefined;
    }
    const spans = blockSpans(text);
    if (spans) {
      const hashes = hashesOf(text, spans, () => idsOf(text, spans));
      return new ReadBlock(bucket, block, written, text, spans.count, spans, undefined, hashes);
    }
    try {
      const pairs = decodeBlock(bucket, block, text);
      const hashes = hashesOf(text, undefined, () => pairs.map((p) => p[0]));
      return new ReadBlock(bucket, block, written, text, pairs.length, undefined, pairs, hashes);
    } catch (error) {
      if (!(error instanceof UndecodableBlock)) throw error;
      onBadBlock(error);
      return undefined;
    }
  }

  /** The ids, in the block's order: made from the JSON at the first call. */
  get ids(): readonly string[] {
    this.#ids ??= this.spans ? idsOf(this.text, this.spans) : this.decodedAtRead!.map((p) => p[0]);
    return this.#ids;
  }

  /**
   * The [id, event] pairs, decoded at each call (a reader holds one block's
   * events at a time); undefined, and reported, when the JSON does not
   * decode to [[id, event], …] or not to the ids its hashes were made from.
   */
  pairs(onBadBlock: (error: UndecodableBlock) => void): [string, unknown][] | undefined {
    if (this.decodedAtRead) return this.decodedAtRead;
    const { text, spans } = this;
    try {
      return decodeBlock(this.bucket, this.block, text, {
        count: this.count,
        isId: (id, i) => isIdAt(text, spans!, i, id),
      });
    } catch (error) {
      if (!(error instanceof UndecodableBlock)) throw error;
      onBadBlock(error);
      return undefined;
    }
  }
}
