import type { Client } from 'cassandra-driver';
import { blockPartitions, type BlockReading } from './sor-block-reader.ts';
import { rowPartitions } from './sor-row-reader.ts';
import { streamedBlocks, type StreamSinks, type StreamVerdict } from './sor-block-stream.ts';
import type { UndecodableBlock } from './sor-blocks.ts';
import { existingSorLayout, isBlockLayout } from './sor-layout.ts';
import { CopyTally, LosingCopies } from './sor-copies.ts';
import { CopyHashes, tokenWords } from './sor-copy-hashes.ts';
import {
  type DecodedRun,
  type SorEntry,
  type SorPartition,
  type SorPosition,
  type SorRun,
} from './sor-token-queries.ts';
import type { ArchiveRead } from '../../runtime/repair-target.ts';

export { isSorPosition, tokenRanges, type DecodedRun, type SorEntry, type SorPosition } from './sor-token-queries.ts';

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
 * its columns: blocks, deflated or as text, or the rows of older versions; another is an error
 * naming the table and the layouts expected): its partitions in token
 * order, each id once within its partition, its blocks read as `reading`
 * says (see `BlockReading`; rows are read the same way whatever it says,
 * in event id order). An id archived in two partitions comes once from each.
 */
async function* partitionsOf(
  client: Client,
  keyspace: string,
  table: string,
  after: SorPosition | undefined,
  onBadBlock: (error: UndecodableBlock) => void,
  reading: BlockReading,
): AsyncGenerator<SorPartition> {
  const layout = await existingSorLayout(client, keyspace, table);
  if (isBlockLayout(layout)) yield* blockPartitions(client, keyspace, table, after, reading, onBadBlock);
  else yield* rowPartitions(client, keyspace, table, after);
}

/** The partitions as they pass, their copies tallied. */
async function* tallied(partitions: AsyncIterable<SorPartition>, tally: CopyTally): AsyncGenerator<SorPartition> {
  for await (const p of partitions) {
    for (const run of p.runs) {
      const place = CopyTally.place(p.token, p.bucket, run.written);
      for (const eventId of run.ids) tally.add(place, eventId);
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
    yield lost ? { ...p, runs: p.runs.map((r) => without(r, lost)) } : p;
  }
}

/** A run without the copies of the ids in `lost`. */
function without(run: SorRun, lost: ReadonlySet<string>): SorRun {
  const kept = run.ids.map((id) => !lost.has(id));
  if (kept.every(Boolean)) return run;
  return {
    written: run.written,
    ids: run.ids.filter((_, i) => kept[i]),
    events: () => run.events()?.filter((_, i) => kept[i]),
  };
}

/** The partitions as they pass, a hash of each copy kept (the cheap look for ids in two partitions). */
async function* hashed(partitions: AsyncIterable<SorPartition>, hashes: CopyHashes): AsyncGenerator<SorPartition> {
  for await (const p of partitions) {
    const [high, low] = tokenWords(p.token);
    for (const run of p.runs) {
      const made = run.hashes;
      // From the hashes the reader made: its ids are not made as strings for this.
      if (made) for (let i = 0; i < made.length; i += 2) hashes.addHashed(high, low, made, i);
      else for (const eventId of run.ids) hashes.add(high, low, eventId);
    }
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
  reading: BlockReading,
): Promise<K> {
  try {
    for await (const _ of watch(partitionsOf(client, keyspace, table, undefined, unreported, reading), kept));
  } catch (error) {
    kept.remove();
    throw error;
  }
  return kept;
}

/** Which copies lose, exactly: every copy tallied (every block decoded, so a bad one holds no copy that could win). */
async function exactLosers(client: Client, keyspace: string, table: string): Promise<LosingCopies> {
  return (await wholePass(client, keyspace, table, new CopyTally(), tallied, 'exact')).losers();
}

const noLosers = new LosingCopies(0, undefined);

/** Which copies lose: a pass of hashes first, and the exact tally only when an id may lie in two partitions. */
async function losingCopies(client: Client, keyspace: string, table: string): Promise<LosingCopies> {
  // Ids only: no event decoded. A bad block's ids can only make the answer "maybe", which the exact tally settles.
  const hashes = await wholePass(client, keyspace, table, new CopyHashes(), hashed, 'ids');
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
    const onBadBlock = options.onBadBlock ?? warnBadBlock;
    const partitions = partitionsOf(client, keyspace, table, options.after, onBadBlock, 'ordered');
    yield* withoutLosers(partitions, losing);
  } finally {
    losing.remove();
  }
}

/**
 * The partitions of a system-of-record table, each event id once across all
 * of them, in token order then event id, resumable `after` a position: what
 * `source.cassandraTable` reads (its events and their positions, a partition
 * at a time, with no await an event).
 */
export const systemOfRecordPartitions = exactPartitions;

/** The events of a system-of-record table with their ids and positions, each id once, in token order then event id. */
export async function* systemOfRecordEntries(
  client: Client,
  keyspace: string,
  table: string,
  options: SorReadOptions = {},
): AsyncGenerator<SorEntry> {
  for await (const { token, bucket, runs } of exactPartitions(client, keyspace, table, options))
    for (const run of runs) {
      const events = run.events() ?? [];
      for (let i = 0; i < events.length; i++) {
        const eventId = run.ids[i]!;
        yield { eventId, event: events[i], position: { token, bucket, eventId } };
      }
    }
}

/** Runs of events with their ids, a block (or rows written at once) each, decoded as taken; `exact()` as in `ArchiveRead`. */
export interface PairsRead {
  readonly runs: AsyncIterable<DecodedRun>;
  exact(): Promise<PairsRead | undefined>;
}

/** The runs of the partitions, each decoded as it is taken (a block that does not decode gives none). */
async function* decodedRuns(partitions: AsyncIterable<SorPartition>): AsyncGenerator<DecodedRun> {
  for await (const p of partitions)
    for (const run of p.runs) {
      if (run.decoded) {
        const decoded = run.decoded();
        if (decoded) yield decoded;
        continue;
      }
      const events = run.events();
      if (events) yield [run.ids, events];
    }
}

/** The one fast pass: blocks streamed as they arrive (see `streamedBlocks`), rows a partition at a time; each copy's hash kept. */
async function* fastRuns(
  client: Client,
  keyspace: string,
  table: string,
  sinks: StreamSinks,
): AsyncGenerator<DecodedRun> {
  if (isBlockLayout(await existingSorLayout(client, keyspace, table)))
    yield* streamedBlocks(client, keyspace, table, sinks);
  else yield* decodedRuns(hashed(rowPartitions(client, keyspace, table, undefined), sinks.hashes));
}

/**
 * The one fast read of a system-of-record table: every event with its id in
 * one pass, a block at a time, in no particular order, a hash of each copy
 * kept on the way. Only when some id may lie in two partitions (rare: two
 * event times for one id; or two ids whose hashes meet) does `exact()` tally
 * the copies exactly (a second pass); when some did lose, or when an id met
 * twice in a partition was passed on in a copy that a de-duplicated read
 * would not keep (copies of one id with different events: never a replay's),
 * it returns another pass, de-duplicated, without the losers. Repair and the
 * dry-run's lookup by id read this way.
 */
export function systemOfRecordPairs(
  client: Client,
  keyspace: string,
  table: string,
  options: Omit<SorReadOptions, 'after'> = {},
): PairsRead {
  const hashes = new CopyHashes();
  const verdict: StreamVerdict = { inexact: false };
  let finished = false;
  async function* runs(): AsyncGenerator<DecodedRun> {
    try {
      yield* fastRuns(client, keyspace, table, { hashes, onBadBlock: options.onBadBlock ?? warnBadBlock, verdict });
      finished = true;
    } finally {
      if (!finished) hashes.remove();
    }
  }
  return {
    runs: runs(),
    async exact() {
      if (!finished) throw new Error('the system of record was not read to its end');
      const losing = hashes.maybeTwice() ? await exactLosers(client, keyspace, table) : noLosers;
      if (losing.count === 0 && !verdict.inexact) return undefined;
      async function* again(): AsyncGenerator<DecodedRun> {
        try {
          // Bad blocks were reported by the first pass.
          const partitions = partitionsOf(client, keyspace, table, undefined, unreported, 'lazy');
          yield* decodedRuns(withoutLosers(partitions, losing));
        } finally {
          losing.remove();
        }
      }
      return { runs: again(), exact: async () => undefined };
    },
  };
}

/** What repair reads: the events of `systemOfRecordPairs`, without their ids. */
export function systemOfRecordRead(
  client: Client,
  keyspace: string,
  table: string,
  options: Omit<SorReadOptions, 'after'> = {},
): ArchiveRead {
  return eventsOf(systemOfRecordPairs(client, keyspace, table, options));
}

function eventsOf(read: PairsRead): ArchiveRead {
  async function* events(): AsyncGenerator<readonly unknown[]> {
    for await (const run of read.runs) yield run[1];
  }
  return {
    events: events(),
    async exact() {
      const again = await read.exact();
      return again && eventsOf(again);
    },
  };
}
