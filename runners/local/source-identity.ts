import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SourceNode } from '../../compiler/ir/index.ts';

/**
 * What a checkpoint read: enough to tell, on a restart, whether the input is
 * the same one. A checkpoint's position means nothing for another input (line
 * 1,169 of another file, an offset of another topic): resuming would skip or
 * misread records without a word. Inputs may grow (a file appended to, a
 * generator asked for more), so sizes are allowed to increase, never shrink.
 */
export interface SourceIdentity {
  /** `file /data/visits.jsonl`, `kafka topic readings, group g`: what messages show. */
  readonly description: string;
  /** Settings that must match exactly. */
  readonly same: Readonly<Record<string, string | number>>;
  /** Sizes that may grow but not shrink (bytes of a file, a generator's count). */
  readonly atLeast: Readonly<Record<string, number>>;
  /** A file's content: a digest of the ends of its first `bytes` bytes, compared over the same bytes on a restart. */
  readonly content?: { readonly path: string; readonly bytes: number; readonly sha256: string };
}

/** Bytes at each end of what was read that identify a file's content: an append leaves them unchanged, a rewrite almost never does. */
const edgeBytes = 65_536;

/** A digest of the first and the last 64 KiB of a file's first `size` bytes (all of them when fewer), without reading the middle of a large file. */
function contentDigest(path: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const ranges =
      size <= 2 * edgeBytes
        ? [[0, size]]
        : [
            [0, edgeBytes],
            [size - edgeBytes, edgeBytes],
          ];
    for (const [start, length] of ranges) {
      const buffer = Buffer.alloc(length!);
      const read = readSync(fd, buffer, 0, length!, start!);
      hash.update(buffer.subarray(0, read));
    }
    return hash.digest('hex').slice(0, 16);
  } finally {
    closeSync(fd);
  }
}

function fileIdentity(path: string): SourceIdentity {
  const absolute = resolve(path);
  const size = existsSync(absolute) ? statSync(absolute).size : 0;
  if (size === 0) return { description: `file ${absolute} (empty)`, same: { path: absolute }, atLeast: { bytes: 0 } };
  return {
    description: `file ${absolute} (${size} bytes)`,
    same: { path: absolute },
    atLeast: { bytes: size },
    content: { path: absolute, bytes: size, sha256: contentDigest(absolute, size) },
  };
}

/** The identity of a pipeline's input as it stands now. */
export function sourceIdentity(source: SourceNode): SourceIdentity {
  const o = source.options;
  switch (source.connector) {
    case 'file':
      return fileIdentity(String(o.path));
    case 'kafka':
      return {
        description: `kafka topic ${String(o.topic)}, group ${String(o.groupId)}`,
        same: { topic: String(o.topic), group: String(o.groupId) },
        atLeast: {},
      };
    case 'socket':
      return {
        description: `socket ${String(o.host)}:${String(o.port)}`,
        same: { address: `${String(o.host)}:${String(o.port)}` },
        atLeast: {},
      };
    case 'generator': {
      const settings = ['seed', 'keys', 'intervalMs', 'startTs', 'lateFraction', 'duplicateFraction'] as const;
      const same = Object.fromEntries(settings.map((k) => [k, Number(o[k])]));
      return {
        description: `generator ${settings.map((k) => `${k}=${String(o[k])}`).join(' ')} count=${String(o.count)}`,
        same,
        atLeast: { count: Number(o.count) },
      };
    }
    case 'cassandra-table':
      return {
        description: `table ${String(o.keyspace)}.${String(o.table)}`,
        same: { table: `${String(o.keyspace)}.${String(o.table)}` },
        atLeast: {},
      };
    case 'memory':
      return { description: `memory (${String(o.count)} records)`, same: {}, atLeast: { records: Number(o.count) } };
  }
}

/** Why a checkpoint of `recorded` cannot resume on `current`, or undefined when it can. */
export function identityMismatch(recorded: SourceIdentity, current: SourceIdentity): string | undefined {
  for (const key of new Set([...Object.keys(recorded.same), ...Object.keys(current.same)])) {
    if (recorded.same[key] !== current.same[key])
      return `${key} ${String(recorded.same[key])} ≠ ${String(current.same[key])}`;
  }
  for (const [key, size] of Object.entries(recorded.atLeast)) {
    if ((current.atLeast[key] ?? 0) < size) return `${key} shrank from ${size} to ${current.atLeast[key] ?? 0}`;
  }
  const content = recorded.content;
  // The same path and no smaller, so the recorded bytes are all there: an append keeps them, a rewrite changes them.
  if (content && current.content && contentDigest(current.content.path, content.bytes) !== content.sha256)
    return `its first ${content.bytes} bytes changed: the file was rewritten, not appended to`;
  return undefined;
}
