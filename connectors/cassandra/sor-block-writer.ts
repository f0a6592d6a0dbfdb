import type { Client, types } from 'cassandra-driver';
import { runBounded } from './run-bounded.ts';
import { deflateBlock } from './sor-block-codec.ts';
import { encodeBlocksAt, partitionBound, type ArchiveColumns, type Block } from './sor-blocks.ts';
import { newSorLayout, type SorLayout } from './sor-layout.ts';

/** Blocks in flight at once: each is one mutation of up to 256 KiB. */
const blockLanes = 16;
/** Partitions whose size the writer remembers; an older one is read again when touched (a long run touches thousands). */
const rememberedPartitions = 4_096;

interface Size {
  events: number;
  bytes: number;
}

/**
 * What the writer says when a batch takes a partition past its bound. A warning, not a refusal:
 * refusing stopped the pipeline for good (the batch is replayed, refused again, and a restart meets
 * the same batch) once a burst filled a 10-minute slot, once 4 million events without a usable
 * event time had gone to the no-time buckets, or when a batch replayed after a kill -9 near the
 * bound was counted twice. A partition past its bound costs Cassandra more; a stopped pipeline
 * loses the stream.
 */
export function overBoundWarning(table: string, bucket: string, held: Size, adding: Size, bound: Size): string {
  return (
    `the system of record ${table}: partition '${bucket}' grows past its bound: it holds ${held.events} events ` +
    `(${held.bytes} bytes), this batch adds ${adding.events} (${adding.bytes} bytes), the bound is ${bound.events} events or ${bound.bytes} bytes; ` +
    `written all the same (said once a partition). A partition is a 10-minute slot of event time split 16 ways by event id (64 ways by id alone without event time): ` +
    `call .withEventTime() after .archive() if the pipeline has none, else archive fewer events per slot (see docs/connectors.md)`
  );
}

/**
 * Writes archived events to a block-layout system of record: each batch's
 * events of one partition as a few blocks (one mutation each, idempotent),
 * instead of a row an event; each block's JSON deflated off the main thread
 * in the `deflated-blocks` layout, as text in the `blocks` layout of before. Before writing, each partition the batch
 * touches is checked against `partitionBound` (its size read once, then
 * tracked): a batch that passes it is written, with a warning.
 * Rewriting a block a replay cut the same way counts it again, so the
 * check errs on the safe side; one writer a pipeline (the runner's lock)
 * keeps the tracked sizes true.
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
    for (let i = 0; i < buckets.length; i++) {
      const at = byBucket.get(buckets[i]!);
      if (at) at.push(i);
      else byBucket.set(buckets[i]!, [i]);
    }
    const blocks = [...byBucket].flatMap(([bucket, at]) => encodeBlocksAt(bucket, batch, at));
    const grown = await this.#admit(blocks);
    const deflated = this.layout === 'deflated-blocks';
    // Each block deflated on libuv's pool as its lane takes it: the 16 lanes keep the pool's threads busy together.
    await runBounded(blocks, blockLanes, async (b) =>
      this.client.execute(
        this.#insert,
        [b.bucket, b.block, b.n, b.bytes, deflated ? await deflateBlock(b.events) : b.events],
        { prepare: true, isIdempotent: true },
      ),
    );
    for (const [bucket, size] of grown) this.#remember(bucket, size);
  }

  /** The partitions' sizes once the blocks land; warns (once a partition) where one passes the bound. */
  async #admit(blocks: readonly Block[]): Promise<Map<string, Size>> {
    const adding = new Map<string, Size>();
    for (const b of blocks) {
      const size = adding.get(b.bucket) ?? { events: 0, bytes: 0 };
      adding.set(b.bucket, { events: size.events + b.n, bytes: size.bytes + b.bytes });
    }
    const grown = new Map<string, Size>();
    await runBounded([...adding], blockLanes, async ([bucket, add]) => {
      const held = this.#sizes.get(bucket) ?? (await this.#read(bucket));
      const over = held.events + add.events > this.bound.events || held.bytes + add.bytes > this.bound.bytes;
      if (over && !this.#warned.has(bucket)) {
        this.#warned.add(bucket);
        // Bounded like the sizes: a run of months past the bound touches a new partition every 10 minutes.
        if (this.#warned.size > rememberedPartitions) this.#warned.delete(this.#warned.values().next().value!);
        this.warn(overBoundWarning(`${this.keyspace}.${this.table}`, bucket, held, add, this.bound));
      }
      grown.set(bucket, { events: held.events + add.events, bytes: held.bytes + add.bytes });
    });
    return grown;
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
