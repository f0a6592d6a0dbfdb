import type { Client, types } from 'cassandra-driver';
import { blockTextOffThread } from './sor-block-codec.ts';
import { inOrderAhead } from './in-order-ahead.ts';
import { blockSpans, isIdAt, type BlockSpans } from './sor-block-ids.ts';
import { decodeColumns, UndecodableBlock } from './sor-blocks.ts';
import { idHashes, tokenWords, type CopyHashes } from './sor-copy-hashes.ts';
import { PartitionIds } from './sor-partition-ids.ts';
import { blockSelect } from './sor-block-reader.ts';
import { rowsInOrder, tokenOrderQueries, type DecodedRun } from './sor-token-queries.ts';

/**
 * A block of the partition being streamed, held for the rare look at an id
 * met twice in it: its key, write time and JSON; where its ids lie is found
 * only then (undefined: not in the writer's shape).
 */
export class HeldBlock {
  #spans: BlockSpans | undefined | null = null;

  constructor(
    readonly block: string,
    readonly written: bigint,
    readonly text: string,
  ) {}

  get spans(): BlockSpans | undefined {
    if (this.#spans === null) this.#spans = blockSpans(this.text);
    return this.#spans;
  }

  /** The JSON text of event i: where the keyed form's spans put it, or in `[["id",event],…]` after the id's `",`, before the pair's `]`. */
  eventText(i: number): string {
    const { at, events } = this.spans!;
    if (events) return this.text.slice(events[i * 2], events[i * 2 + 1]);
    return this.text.slice(at[i * 2 + 1]! + 2, i + 1 < this.spans!.count ? at[i * 2 + 2]! - 4 : this.text.length - 2);
  }
}

/** Whether copy `a` outranks copy `b` of an id: the newer write, ties by the greater block key (as `deduplicated` ranks them). */
const outranks = (a: HeldBlock, b: HeldBlock) => (a.written !== b.written ? a.written > b.written : a.block > b.block);

/**
 * Whether the copy kept (pair `pa` of `a`, already passed on) stands for the
 * copy met now (pair `pb` of `b`): the same event text, or the one a
 * de-duplicated read keeps. When not, the read is inexact.
 */
function keptStands(a: HeldBlock, pa: number, b: HeldBlock, pb: number): boolean {
  if (!a.spans || !b.spans) return false;
  return a.eventText(pa) === b.eventText(pb) || outranks(a, b);
}

/** What a streamed read found out on the way. */
export interface StreamVerdict {
  /** Some id came twice in one partition and the copy passed on was not the one a de-duplicated read keeps. */
  inexact: boolean;
}

/** Where a streamed read leaves what it meets besides the events: each copy's hash, bad blocks, its verdict. */
export interface StreamSinks {
  readonly hashes: CopyHashes;
  readonly onBadBlock: (error: UndecodableBlock) => void;
  readonly verdict: StreamVerdict;
}

/** One partition being streamed: its blocks so far and the ids they hold. */
export class StreamedPartition {
  readonly ids = new PartitionIds();
  readonly held: HeldBlock[] = [];
  bucket: string | undefined;
  token: [number, number] = [0, 0];
  /** The id being looked up (so the look-up's test makes no closure an id). */
  #id = '';
  readonly #same = (block: number, pair: number) => {
    const b = this.held[block]!;
    // Without spans the id cannot be compared in place: taken as the same, which makes the read inexact (safe).
    return !b.spans || isIdAt(b.text, b.spans, pair, this.#id);
  };

  enter(bucket: string, token: string): void {
    if (bucket === this.bucket) return;
    this.bucket = bucket;
    this.token = tokenWords(token);
    this.ids.clear();
    this.held.length = 0;
  }

  /**
   * A decoded block's copies: each id hashed once (kept in `hashes` for the
   * copy check) and looked up among the partition's; the positions of the
   * copies already passed on (an id met twice in the partition), or undefined.
   */
  repeated(held: HeldBlock, ids: readonly string[], hashes: CopyHashes, verdict: StreamVerdict) {
    const index = this.held.push(held) - 1;
    const idHash = new Uint32Array(ids.length * 2);
    let repeated: Uint8Array | undefined;
    for (let i = 0; i < ids.length; i++) {
      this.#id = ids[i]!;
      idHashes(this.#id, idHash, i * 2);
      const slot = this.ids.firstOrAdd(idHash, i * 2, index, i, this.#same);
      if (slot < 0) {
        hashes.addHashed(this.token[0], this.token[1], idHash, i * 2);
        continue;
      }
      const kept = this.held[this.ids.blockAt(slot)]!;
      if (!keptStands(kept, this.ids.pairAt(slot), held, i)) verdict.inexact = true;
      (repeated ??= new Uint8Array(ids.length))[i] = 1;
    }
    return repeated;
  }
}

/** A block's ids and events as a run, without the copies `repeated` marks. */
function runOf([ids, events]: DecodedRun, repeated: Uint8Array | undefined): DecodedRun {
  if (!repeated) return [ids, events];
  const kept = (_: unknown, i: number) => repeated[i] === 0;
  return [ids.filter(kept), events.filter(kept)];
}

/** Blocks inflated ahead of the one being decoded (on libuv's pool, while this thread parses and aggregates). */
export const inflatedAhead = 8;

/** A row's block text (inflated off this thread), or the UndecodableBlock its bytes give. */
const textOf = (row: types.Row): Promise<string | UndecodableBlock> =>
  blockTextOffThread(String(row.get('bucket')), String(row.get('block')), row.get('events')).catch((error) => {
    if (!(error instanceof UndecodableBlock)) throw error;
    return error;
  });

/** A row's block decoded from its text; undefined (reported) when it does not decode. */
function decoded(
  row: types.Row,
  bucket: string,
  text: string | UndecodableBlock,
  onBadBlock: (error: UndecodableBlock) => void,
) {
  const block = String(row.get('block'));
  try {
    if (text instanceof UndecodableBlock) throw text;
    return {
      held: new HeldBlock(block, BigInt(String(row.get('written'))), text),
      columns: decodeColumns(bucket, block, text),
    };
  } catch (error) {
    if (!(error instanceof UndecodableBlock)) throw error;
    onBadBlock(error);
    return undefined;
  }
}

/**
 * Every block of a block-layout system of record, decoded as it arrives and
 * passed on at once (one JSON.parse a block, as a raw scan does; no look
 * for its ids before): the fast read of repair and the dry-run. Deflated
 * blocks are inflated on libuv's pool, `inflatedAhead` of them while this
 * thread decodes and aggregates the one before. Each copy
 * kept goes into `hashes` (the look for ids in two partitions). An id met
 * again in its partition (a replay cut differently) is left out: its copy
 * passed on stands for it when both have the same event text (a replay's
 * copies do) or when it is the one a de-duplicated read keeps; otherwise
 * `verdict.inexact` says the read must be done again, de-duplicated first.
 * Memory: the texts of one partition (bounded by design) and of the blocks
 * inflated ahead, and the partition's ids' hashes.
 */
export async function* streamedBlocks(
  client: Client,
  keyspace: string,
  table: string,
  { hashes, onBadBlock, verdict }: StreamSinks,
): AsyncGenerator<DecodedRun> {
  const select = blockSelect(keyspace, table);
  const partition = new StreamedPartition();
  const rows = rowsInOrder(
    client,
    tokenOrderQueries(select, undefined, () => ['', []]),
    32,
  );
  for await (const [row, text] of inOrderAhead(rows, textOf, inflatedAhead)) {
    const bucket = String(row.get('bucket'));
    partition.enter(bucket, String(row.get('t')));
    const block = decoded(row, bucket, text, onBadBlock);
    if (!block) continue;
    const run = runOf(block.columns, partition.repeated(block.held, block.columns[0], hashes, verdict));
    if (run[0].length > 0) yield run;
  }
}
