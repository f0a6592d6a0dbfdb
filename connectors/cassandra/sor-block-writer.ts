import type { Client, types } from 'cassandra-driver';
import { UserFacingError } from '../../runtime/user-facing-error.ts';
import { runBounded } from './run-bounded.ts';
import { cutBlocks, partitionBound, type ArchivedEvent, type Block } from './sor-blocks.ts';

/** Blocks in flight at once: each is one mutation of up to 256 KiB. */
const blockLanes = 16;
/** Partitions whose size the writer remembers; an older one is read again when touched (a long run touches thousands). */
const rememberedPartitions = 4_096;

interface Size {
  events: number;
  bytes: number;
}

/** A batch that would take a partition of a system of record past its bound: refused, never written. */
export class PartitionOverBound extends UserFacingError {
  override readonly name = 'PartitionOverBound';
  constructor(table: string, bucket: string, held: Size, adding: Size, bound: Size) {
    super(
      `the system of record ${table} refuses to grow partition '${bucket}' past its bound: it holds ${held.events} events ` +
        `(${held.bytes} bytes), this batch adds ${adding.events} (${adding.bytes} bytes), the bound is ${bound.events} events or ${bound.bytes} bytes. ` +
        `A partition is a 10-minute slot of event time split 16 ways by event id (64 ways by id alone without event time): ` +
        `call .withEventTime() after .archive() if the pipeline has none, else archive fewer events per slot (see docs/connectors.md)`,
    );
  }
}

/**
 * Writes archived events to a block-layout system of record: each batch's
 * events of one partition as a few blocks (one mutation each, idempotent),
 * instead of a row an event. Before writing, each partition the batch
 * touches is checked against `partitionBound` (its size read once, then
 * tracked): a batch that would pass it fails with a message instead.
 * Rewriting a block a replay cut the same way counts it again, so the
 * check errs on the safe side; one writer a pipeline (the runner's lock)
 * keeps the tracked sizes true.
 */
export class SorBlockWriter {
  readonly #insert: string;
  readonly #sizes = new Map<string, Size>();

  constructor(
    readonly client: Client,
    readonly keyspace: string,
    readonly table: string,
    readonly bound: Size = partitionBound,
  ) {
    // Identifiers were validated by the DSL; values are bound.
    this.#insert = `INSERT INTO ${keyspace}.${table} (bucket, block, n, bytes, events) VALUES (?, ?, ?, ?, ?)`;
  }

  /** Archives events (bucket, id, JSON); of one id twice in the batch, the last counts. */
  async write(events: readonly (ArchivedEvent & { readonly bucket: string })[]): Promise<void> {
    const byBucket = new Map<string, Map<string, ArchivedEvent>>();
    for (const e of events) {
      let partition = byBucket.get(e.bucket);
      if (!partition) byBucket.set(e.bucket, (partition = new Map()));
      partition.delete(e.eventId);
      partition.set(e.eventId, e);
    }
    const blocks = [...byBucket].flatMap(([bucket, partition]) => cutBlocks(bucket, [...partition.values()]));
    const grown = await this.#admit(blocks);
    await runBounded(blocks, blockLanes, (b) =>
      this.client.execute(this.#insert, [b.bucket, b.block, b.n, b.bytes, b.events], {
        prepare: true,
        isIdempotent: true,
      }),
    );
    for (const [bucket, size] of grown) this.#remember(bucket, size);
  }

  /** The partitions' sizes once the blocks land; throws PartitionOverBound where one would pass the bound. */
  async #admit(blocks: readonly Block[]): Promise<Map<string, Size>> {
    const adding = new Map<string, Size>();
    for (const b of blocks) {
      const size = adding.get(b.bucket) ?? { events: 0, bytes: 0 };
      adding.set(b.bucket, { events: size.events + b.n, bytes: size.bytes + b.bytes });
    }
    const grown = new Map<string, Size>();
    await runBounded([...adding], blockLanes, async ([bucket, add]) => {
      const held = this.#sizes.get(bucket) ?? (await this.#read(bucket));
      if (held.events + add.events > this.bound.events || held.bytes + add.bytes > this.bound.bytes)
        throw new PartitionOverBound(`${this.keyspace}.${this.table}`, bucket, held, add, this.bound);
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
