import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import { UndecodableBlock } from './sor-blocks.ts';

const deflate = promisify(deflateRaw);

/**
 * A block's JSON as the `deflated-blocks` layout stores it: raw DEFLATE at
 * level 1, on libuv's thread pool, off the main thread. About a sixth of the
 * text for the bench's sensor events (1.9 MB a batch of 20,000 down to
 * 0.3 MB), which is what Cassandra's commit log, memtable and network carry:
 * the text blocks cost it 5–8× the time of these (issue 19, docs/benchmarks.md).
 */
export function deflateBlock(text: string): Promise<Buffer> {
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
