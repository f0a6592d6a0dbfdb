import type { Client, types } from 'cassandra-driver';
import { runBounded } from './run-bounded.ts';
import { earlierCopies } from './sor-batch-copies.ts';
import { deflateBlock } from './sor-block-codec.ts';
import { encodeBlocksAt, partitionBound, type ArchiveColumns, type Block } from './sor-blocks.ts';
import { newSorLayout, type SorLayout } from './sor-layout.ts';

/** Blocks in flight at once: each is one mutation of up to 256 KiB. */
const blockLanes = 16;
/** Partitions whose size the writer remembers; an older one is read again when touched (a long run touches thousands). */
const rememberedPartitions = 4_096;

/** A block as the writer holds it until its insert: its JSON as text, or as the bytes it deflates. */
type StoredBlock = Omit<Block, 'events'> & { readonly events: string | Buffer };

interface Size {
  events: number;
  bytes: number;
}

/**
 * What the writer says when a partition is full: the blocks that would take it past its bound go
 * to its next overflow partition instead (`<bucket>~1`, `~2`, …). Refusing the write outright
 * stopped the pipeline for good (the batch is replayed, refused again, and a restart meets the
 * same batch) once a burst filled a 10-minute slot, once millions of events without event time
 * had filled the id buckets, or when a batch replayed after a kill -9 near the bound was counted
 * twice; writing it all the same let the partition grow without bound.
 */
function fullPartitionNotice(table: string, bucket: string, held: Size, bound: Size, next: string): string {
  return (
    `the system of record ${table}: partition '${bucket}' is full: it holds ${held.events} events ` +
    `(${held.bytes} bytes of JSON), the bound is ${bound.events} events or ${bound.bytes} bytes; ` +
    `events past it go to partition '${next}' (said once a partition). A partition is a 10-minute slot of event time split 16 ways by event id (64 ways by id alone without event time): ` +
    `call .withEventTime() after .archive() if the pipeline has none (see docs/connectors.md)`
  );
}

/** The overflow partition after `bucket` in its chain: `<base>~1` after the base, then `~2`, … */
function nextInChain(bucket: string, base: string): string {
  const k = bucket === base ? 0 : Number(bucket.slice(base.length + 1));
  return `${base}~${k + 1}`;
}

/**
 * Writes archived events to a block-layout system of record: each batch's
 * events of one partition as a few blocks (one mutation each, idempotent),
 * instead of a row an event; each block's JSON deflated off the main thread
 * in the `deflated-blocks` layout, as text in the `blocks` layout of before. Before writing, each block is
 * placed in its partition if that stays within `partitionBound` (its size
 * read once, then tracked), else in the first overflow partition of its
 * chain with room (`<bucket>~1`, `~2`, …; a block alone in an empty
 * partition always fits): no partition grows past the bound. Readers scan
 * every partition and count an id met in two once, so where a block lands
 * changes nothing they read. Rewriting a block a replay cut the same way
 * counts it again, so the check errs on the safe side; one writer a
 * pipeline (the runner's lock) keeps the tracked sizes true.
 */
export class SorBlockWriter {
  readonly #insert: string;
  readonly #sizes = new Map<string, Size>();
  readonly #warned = new Set<string>();

  constructor(
    readonly client: Client,
    readonly keyspace: string,
    readonly table: string,
    readonly bound: Size = partitionBound,
    readonly warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    /** The table's block layout: its blocks deflated (made since issue 19's write path), or as text (before). */
    readonly layout: Exclude<SorLayout, 'rows'> = newSorLayout as 'deflated-blocks',
  ) {
    // Identifiers were validated by the DSL; values are bound.
    this.#insert = `INSERT INTO ${keyspace}.${table} (bucket, block, n, bytes, events) VALUES (?, ?, ?, ?, ?)`;
  }

  /** Archives a batch's events (the i-th in partition `buckets[i]`); of one id twice in the batch, the last counts. */
  async write(batch: ArchiveColumns & { readonly buckets: readonly string[] }): Promise<void> {
    // Each partition's events by their places in the batch: no object an event (ArchiveColumns).
    const byBucket = new Map<string, number[]>();
    const { buckets } = batch;
    // An id's earlier copies are not written: only the batch's last stands, whichever block lands last.
    const earlier = earlierCopies(batch.ids, batch.hashes);
    for (let i = 0; i < buckets.length; i++) {
      if (earlier?.[i] === 1) continue;
      const at = byBucket.get(buckets[i]!);
      if (at) at.push(i);
      else byBucket.set(buckets[i]!, [i]);
    }
    const deflated = this.layout === 'deflated-blocks';
    // Each block's JSON made bytes at once, as deflate takes it: a block's text (about 100 KB, too small for V8's
    // large-object space) would otherwise be held through the awaits below, and copied by every scavenge until its insert.
    const blocks = [...byBucket].flatMap(([bucket, at]) =>
      encodeBlocksAt(bucket, batch, at).map((b): StoredBlock =>
        deflated ? { ...b, events: Buffer.from(b.events) } : b,
      ),
    );
    const { placed, grown } = await this.#place(blocks);
    // Each block deflated on libuv's pool as its lane takes it: the 16 lanes keep the pool's threads busy together.
    await runBounded(placed, blockLanes, async (b) =>
      this.client.execute(
        this.#insert,
        [b.bucket, b.block, b.n, b.bytes, deflated ? await deflateBlock(b.events) : b.events],
        { prepare: true, isIdempotent: true },
      ),
    );
    for (const [bucket, size] of grown) this.#remember(bucket, size);
  }

  /**
   * Each block in its own partition, or in the first partition of that one's overflow chain with room for it;
   * the sizes of the partitions written once the blocks land. The batch's own partitions are read in parallel
   * (once a process); an overflow partition only when one is full.
   */
  async #place(blocks: readonly StoredBlock[]): Promise<{ placed: StoredBlock[]; grown: Map<string, Size> }> {
    const grown = new Map<string, Size>();
    const sizeOf = async (bucket: string) => grown.get(bucket) ?? this.#sizes.get(bucket) ?? (await this.#read(bucket));
    const own = [...new Set(blocks.map((b) => b.bucket))];
    await runBounded(own, blockLanes, async (bucket) => void grown.set(bucket, await sizeOf(bucket)));
    const placed: StoredBlock[] = [];
    for (const block of blocks) {
      let bucket = block.bucket;
      let held = await sizeOf(bucket);
      while (!this.#fits(held, block)) {
        const next = nextInChain(bucket, block.bucket);
        this.#notify(bucket, held, next);
        [bucket, held] = [next, await sizeOf(next)];
      }
      grown.set(bucket, { events: held.events + block.n, bytes: held.bytes + block.bytes });
      placed.push(bucket === block.bucket ? block : { ...block, bucket });
    }
    return { placed, grown };
  }

  /** Whether a block fits in a partition holding `held`: within the bound, or alone in an empty partition. */
  #fits(held: Size, block: StoredBlock): boolean {
    if (held.events === 0) return true;
    return held.events + block.n <= this.bound.events && held.bytes + block.bytes <= this.bound.bytes;
  }

  /** Says once a partition (of the last 4,096 said) that it is full and where its events go. */
  #notify(bucket: string, held: Size, next: string): void {
    if (this.#warned.has(bucket)) return;
    this.#warned.add(bucket);
    // Bounded like the sizes: a run of months touches a new partition every 10 minutes.
    if (this.#warned.size > rememberedPartitions) this.#warned.delete(this.#warned.values().next().value!);
    this.warn(fullPartitionNotice(`${this.keyspace}.${this.table}`, bucket, held, this.bound, next));
  }

  /** A partition's size as stored: the sum over its blocks (copies a replay left count twice: on the safe side). */
  async #read(bucket: string): Promise<Size> {
    const size = { events: 0, bytes: 0 };
    const cql = `SELECT n, bytes FROM ${this.keyspace}.${this.table} WHERE bucket = ?`;
    for await (const row of this.client.stream(cql, [bucket], {
      prepare: true,
      fetchSize: 5_000,
    }) as unknown as AsyncIterable<types.Row>) {
      size.events += Number(row.get('n'));
      size.bytes += Number(row.get('bytes'));
    }
    return size;
  }

  #remember(bucket: string, size: Size): void {
    this.#sizes.delete(bucket);
    this.#sizes.set(bucket, size);
    if (this.#sizes.size > rememberedPartitions) this.#sizes.delete(this.#sizes.keys().next().value!);
  }
}
