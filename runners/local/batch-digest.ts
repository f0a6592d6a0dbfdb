import { createHash } from 'node:crypto';

/** Text is hashed in chunks of about this many characters: one native call per chunk, not per record. */
const chunkChars = 65_536;

/**
 * A digest of a batch's raw values, so that the progress of the batch in
 * flight matches only the very same batch. Positions alone do not prove it:
 * a socket without a WAL numbers lines from the checkpoint again after a
 * restart, so other lines come under the same positions. Each value is
 * length-prefixed (no two batches share a text by a shifted boundary).
 * Strings (socket, file and Kafka lines) cost a copy and SHA-256; objects
 * (memory sources, decoded rows) a JSON.stringify as well.
 */
export function batchDigest(values: readonly unknown[]): string {
  const hash = createHash('sha256');
  let text = '';
  for (const value of values) {
    const raw =
      typeof value === 'string'
        ? value
        : value instanceof Uint8Array
          ? Buffer.from(value).toString('base64')
          : (JSON.stringify(value) ?? String(value));
    text += `${raw.length}:${raw}`;
    if (text.length >= chunkChars) {
      hash.update(text);
      text = '';
    }
  }
  hash.update(text);
  return hash.digest('base64');
}
