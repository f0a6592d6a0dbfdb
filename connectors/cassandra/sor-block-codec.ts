import { promisify } from 'node:util';
import { deflateRaw, inflateRaw, inflateRawSync } from 'node:zlib';
import { UndecodableBlock } from './sor-blocks.ts';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw) as (stored: Buffer, options: { chunkSize: number }) => Promise<Buffer>;

/** Output chunks of an off-thread inflate: one chunk holds a whole block (≤ 256 KiB of JSON), so none is concatenated. */
const inflatedChunk = 512 * 1024;

/**
 * A block's JSON as the `deflated-blocks` layout stores it: raw DEFLATE at
 * level 1, on libuv's thread pool, off the main thread. About a sixth of the
 * text for the bench's sensor events (1.9 MB a batch of 20,000 down to
 * 0.3 MB), which is what Cassandra's commit log, memtable and network carry:
 * the text blocks cost it 5–8× the time of these (issue 19, docs/benchmarks.md).
 */
export function deflateBlock(text: string | Buffer): Promise<Buffer> {
  return deflate(text, { level: 1 });
}

/**
 * A block's JSON text as read from its `events` column, in either block
 * layout: the text itself, or the bytes of `deflated-blocks`, inflated.
 * Every reader of blocks takes its text here. Throws UndecodableBlock,
 * naming the block, when the bytes do not inflate (the reader reports it
 * and reads on).
 */
export function blockText(bucket: string, block: string, stored: unknown): string {
  if (!Buffer.isBuffer(stored)) return String(stored);
  try {
    return inflateRawSync(stored).toString('utf8');
  } catch (error) {
    throw new UndecodableBlock(bucket, block, error);
  }
}

/**
 * `blockText`, with the inflating done on libuv's thread pool: what a reader
 * that has other work for its own thread meanwhile takes (repair's streamed
 * read inflates the next blocks while it parses and aggregates this one).
 * The same text, and the same UndecodableBlock naming the block, as
 * `blockText`; text (the layout before) is given back as it is.
 */
export async function blockTextOffThread(bucket: string, block: string, stored: unknown): Promise<string> {
  if (!Buffer.isBuffer(stored)) return String(stored);
  try {
    return (await inflate(stored, { chunkSize: inflatedChunk })).toString('utf8');
  } catch (error) {
    throw new UndecodableBlock(bucket, block, error);
  }
}
