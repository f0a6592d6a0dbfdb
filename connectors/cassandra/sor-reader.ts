import type { Client } from 'cassandra-driver';
import { blockPartitions } from './sor-block-reader.ts';
import type { UndecodableBlock } from './sor-blocks.ts';
import { allHashBuckets, idBucket } from './sor-bucket.ts';
import { existingSorLayout } from './sor-layout.ts';
import { CopyTally, LosingCopies } from './sor-copies.ts';
import { CopyHashes, tokenWords } from './sor-copy-hashes.ts';
import {
  rowsInOrder,
  tokenOrderQueries,
  type SorEntry,
  type SorPartition,
  type SorPosition,
} from './sor-token-queries.ts';
import type { ArchiveRead } from '../../runtime/repair-target.ts';

export { isSorPosition, tokenRanges, type SorEntry, type SorPosition } from './sor-token-queries.ts';

/**
 * Whether a row is the one copy of its event to read. Rows written before
 * idemflow bucketed by the event id alone sit in a hash bucket of the whole
 * event (`h0`–`h63`, computed from the payload): a replay since then wrote
 * the same id into its id bucket, and one id delivered with two payloads
 * left two such rows. The copy in the id bucket wins; with none, the newest
 * legacy copy (by write time; ties by bucket name). One point query over the
 * 64 hash buckets per legacy row only: rows already in their id bucket, and
 * day buckets, cost nothing.
 */
async function isTheCopyToRead(
  client: Client,
  keyspace: string,
  table: string,
  bucket: string,
  eventId: string,
): Promise<boolean> {
  const own = idBucket(eventId);
  if (bucket === own || !/^h\d+$/.test(bucket)) return true;
  const cql = `SELECT bucket, writetime(payload) AS written FROM ${keyspace}.${table} WHERE bucket IN ? AND event_id = ?`;
  const copies = (await client.execute(cql, [allHashBuckets, eventId], { prepare: true })).rows.map((r) => ({
    bucket: String(r.get('bucket')),
    written: BigInt(String(r.get('written'))),
  }));
  if (copies.some((c) => c.bucket === own)) return false;
  const newest = copies.reduce(
    (a, b) => (b.written > a.written || (b.written === a.written && b.bucket < a.bucket) ? b : a),
    { bucket, written: -1n },
  );
  return newest.bucket === bucket;
}

/** Rows of one partition yielded together at most (a day of the row layout can hold a quarter of a million). */
const rowsAtOnce = 1_000;

/**
 * The rows of a row-layout system-of-record table (`bucket`, `event_id`,
 * `payload`) as partitions of decoded events, read by token ranges with
 * paging, so no query scans the whole ring and memory holds one page at a
 * time (a long partition comes in pieces of `rowsAtOnce`); each event once
 * within its partition, even where rows of an older bucketing left two
 * copies. Rows come in token order, then event id within a partition: after
 * `after`, the rest of its partition, then the partitions of greater tokens.
 * Rows inserted behind the position while reading are not read; rows ahead
 * are. (Two buckets of one token, a Murmur3 collision, would be read as one
 * partition: with 64 hash buckets or one a day, it does not happen.)
 */
async function* rowPartitions(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
): AsyncGenerator<SorPartition> {
  // Identifiers were validated by the DSL; values are bound.
  const select = `SELECT token(bucket) AS t, bucket, event_id, writetime(payload) AS written, payload FROM ${keyspace}.${table}`;
  const queries = tokenOrderQueries(select, after, (a) => ['bucket = ? AND event_id > ?', [a.bucket, a.eventId]]);
  let piece:
    | { token: string; bucket: string; runs: { written: bigint; pairs: [string, unknown][] }[]; rows: number }
    | undefined;
  for await (const row of rowsInOrder(client, queries, 5_000)) {
    const eventId = String(row.get('event_id'));
    const bucket = String(row.get('bucket'));
    if (!(await isTheCopyToRead(client, keyspace, table, bucket, eventId))) continue;
    if (piece && (piece.bucket !== bucket || piece.rows >= rowsAtOnce)) {
      yield piece;
      piece = undefined;
    }
    piece ??= { token: String(row.get('t')), bucket, runs: [], rows: 0 };
    const written = BigInt(String(row.get('written')));
    const pair: [string, unknown] = [eventId, JSON.parse(row.get('payload') as string)];
    const last = piece.runs[piece.runs.length - 1];
    if (last?.written === written) last.pairs.push(pair);
    else piece.runs.push({ written, pairs: [pair] });
    piece.rows++;
  }
  if (piece) yield piece;
}

export interface SorReadOptions {
  /** Resume after this event (a position a previous read yielded). */
  readonly after?: SorPosition;
  /** Told of each block that fails to decode; the read goes on with the rest (default: a warning on stderr). */
  readonly onBadBlock?: (error: UndecodableBlock) => void;
}

const warnBadBlock = (error: UndecodableBlock) => process.stderr.write(`warning: ${error.message}; skipped\n`);
const unreported = () => {};

/**
 * One pass over a system-of-record table, whatever its layout (told from
 * its columns: blocks, or the rows of older versions; another is an error
 * naming the table and the layouts expected): its partitions in token
 * order, each id once within its partition (in event id order when
 * `ordered`, as a read that resumes after a position needs). An id
 * archived in two partitions comes once from each.
 */
async function* partitionsOf(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
  onBadBlock: (error: UndecodableBlock) => void,
  ordered = false,
): AsyncGenerator<SorPartition> {
  const layout = await existingSorLayout(client, keyspace, table);
  if (layout === 'blocks') yield* blockPartitions(client, keyspace, table, after, ordered, onBadBlock);
  else yield* rowPartitions(client, keyspace, table, after);
}

/** The partitions as they pass, their copies tallied. */
async function* tallied(partitions: AsyncIterable<SorPartition>, tally: CopyTally): AsyncGenerator<SorPartition> {
  for await (const p of partitions) {
    for (const run of p.runs) {
      const place = CopyTally.place(p.token, p.bucket, run.written);
      for (const [eventId] of run.pairs) tally.add(place, eventId);
    }
    yield p;
  }
}

/** The partitions without the copies that lost to another of the same id. */
async function* withoutLosers(
  partitions: AsyncIterable<SorPartition>,
  losing: LosingCopies,
): AsyncGenerator<SorPartition> {
  for await (const p of partitions) {
    const lost = await losing.in(p.token, p.bucket);
    if (!lost) yield p;
    else
      yield { ...p, runs: p.runs.map((r) => ({ written: r.written, pairs: r.pairs.filter(([id]) => !lost.has(id)) })) };
  }
}

/** The partitions as they pass, a hash of each copy kept (the cheap look for ids in two partitions). */
async function* hashed(partitions: AsyncIterable<SorPartition>, hashes: CopyHashes): AsyncGenerator<SorPartition> {
  for await (const p of partitions) {
    const [high, low] = tokenWords(p.token);
    for (const run of p.runs) for (const [eventId] of run.pairs) hashes.add(high, low, eventId);
    yield p;
  }
}

/**
 * A whole pass over the table that only feeds `kept` (the copies' hashes or
 * tally) through `watch`; bad blocks are left for the caller's own pass to
 * report. What was kept is removed if the pass fails.
 */
async function wholePass<K extends { remove(): void }>(
  client: Client,
  keyspace: string,
  table: string,
  kept: K,
  watch: (partitions: AsyncIterable<SorPartition>, kept: K) => AsyncIterable<SorPartition>,
): Promise<K> {
  try {
    for await (const _ of watch(partitionsOf(client, keyspace, table, undefined, unreported), kept));
  } catch (error) {
    kept.remove();
    throw error;
  }
  return kept;
}

/** Which copies lose, exactly: every copy tallied. */
async function exactLosers(client: Client, keyspace: string, table: string): Promise<LosingCopies> {
  return (await wholePass(client, keyspace, table, new CopyTally(), tallied)).losers();
}

const noLosers = new LosingCopies(0, undefined);

/** Which copies lose: a pass of hashes first, and the exact tally only when an id may lie in two partitions. */
async function losingCopies(client: Client, keyspace: string, table: string): Promise<LosingCopies> {
  const hashes = await wholePass(client, keyspace, table, new CopyHashes(), hashed);
  return hashes.maybeTwice() ? exactLosers(client, keyspace, table) : noLosers;
}

/**
 * The partitions of a system-of-record table with each event id once across
 * all of them (see `sor-copies.ts`): a first pass finds the ids archived in
 * more than one partition, then the read itself leaves their losing copies
 * out. Two passes, so that a read resumed after a position still knows of
 * copies behind it.
 */
async function* exactPartitions(
  client: Client,
  keyspace: string,
  table: string,
  options: SorReadOptions,
): AsyncGenerator<SorPartition> {
  const losing = await losingCopies(client, keyspace, table);
  try {
    const partitions = partitionsOf(client, keyspace, table, options.after, options.onBadBlock ?? warnBadBlock, true);
    yield* withoutLosers(partitions, losing);
  } finally {
    losing.remove();
  }
}

/** The events of a system-of-record table with their ids and positions, each id once, in token order then event id. */
export async function* systemOfRecordEntries(
  client: Client,
  keyspace: string,
  table: string,
  options: SorReadOptions = {},
): AsyncGenerator<SorEntry> {
  for await (const { token, bucket, runs } of exactPartitions(client, keyspace, table, options))
    for (const run of runs)
      for (const [eventId, event] of run.pairs) yield { eventId, event, position: { token, bucket, eventId } };
}

/**
 * What repair reads: every event of a system-of-record table in one pass, a
 * partition at a time, a hash of each copy kept on the way. Only when some
 * id may lie in two partitions (rare: two event times for one id) does
 * `exact()` tally the copies exactly (a second pass) and, if some did lose,
 * return a third pass without them.
 */
export function systemOfRecordRead(
  client: Client,
  keyspace: string,
  table: string,
  options: Omit<SorReadOptions, 'after'> = {},
): ArchiveRead {
  const hashes = new CopyHashes();
  let finished = false;
  async function* events(): AsyncGenerator<readonly unknown[]> {
    try {
      const partitions = partitionsOf(client, keyspace, table, undefined, options.onBadBlock ?? warnBadBlock);
      for await (const p of hashed(partitions, hashes)) for (const run of p.runs) yield run.pairs.map((e) => e[1]);
      finished = true;
    } finally {
      if (!finished) hashes.remove();
    }
  }
  return {
    events: events(),
    async exact() {
      if (!finished) throw new Error('the system of record was not read to its end');
      if (!hashes.maybeTwice()) return undefined;
      const losing = await exactLosers(client, keyspace, table);
      if (losing.count === 0) return undefined;
      async function* again(): AsyncGenerator<readonly unknown[]> {
        try {
          // Bad blocks were reported by the first pass.
          const partitions = partitionsOf(client, keyspace, table, undefined, unreported);
          for await (const p of withoutLosers(partitions, losing))
            for (const run of p.runs) yield run.pairs.map((e) => e[1]);
        } finally {
          losing.remove();
        }
      }
      return { events: again(), exact: async () => undefined };
    },
  };
}
