/**
 * The Kafka input's buffer without a broker: what is handed out, served again, dropped and fetched again,
 * and what the consumer thread is told, for fetches that overlap, arrive after a seek, or outlive a rebalance.
 */
import { describe, expect, it } from 'vitest';
import type { FetchedBatch } from '../../../connectors/kafka/consumer-protocol.ts';
import { PartitionBuffer, type FetchControl } from '../../../connectors/kafka/partition-buffer.ts';

/** A fetch of `partition` from `first`: one value a offset, `p<partition>@<offset>` unless given. */
function fetched(partition: number, first: number, count: number, options: { epoch?: number; high?: number } = {}) {
  const values = Array.from({ length: count }, (_, i) => `p${partition}@${first + i}`);
  return batchOf(partition, first, values, options);
}

function batchOf(
  partition: number,
  first: number,
  values: readonly string[],
  { epoch = 0, high = first + values.length }: { epoch?: number; high?: number } = {},
): FetchedBatch {
  const encoded = values.map((v) => Buffer.from(v, 'utf8'));
  const bytes = new Uint8Array(encoded.reduce((n, e) => n + e.length, 0));
  const ends = new Uint32Array(encoded.length);
  let at = 0;
  encoded.forEach((e, i) => {
    bytes.set(e, at);
    at += e.length;
    ends[i] = at;
  });
  return {
    type: 'batch',
    partition,
    high,
    epoch,
    offsets: Float64Array.from(values, (_, i) => first + i),
    ends,
    bytes: bytes.buffer,
  };
}

function buffer(maxBuffered = 1_000) {
  const told: FetchControl[] = [];
  return { buffer: new PartitionBuffer(maxBuffered, (command) => told.push(command)), told };
}

const positionOf = (entries: Record<number, number> = {}) =>
  new Map(Object.entries(entries).map(([p, o]) => [Number(p), o]));

describe('PartitionBuffer', () => {
  it('buffers each offset once: a fetch that overlaps what is buffered adds only the new part, decoded', () => {
    const { buffer: b } = buffer();
    b.accept(fetched(0, 0, 5));
    b.accept(fetched(0, 3, 5)); // 3 and 4 again, then 5..7
    b.accept(batchOf(0, 8, ['ünïcödé 日本', 'ʕ•ᴥ•ʔ']));
    expect(b.buffered).toBe(10);
    const position = positionOf();
    const taken = b.take(100, position);
    expect(taken.values).toEqual([...Array.from({ length: 8 }, (_, i) => `p0@${i}`), 'ünïcödé 日本', 'ʕ•ᴥ•ʔ']);
    expect(taken.offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(position.get(0)).toBe(10);
    expect(b.buffered).toBe(0);
  });

  it('hands out at most `max` a take across chunks and partitions, cutting a chunk and moving each position', () => {
    const { buffer: b } = buffer();
    b.accept(fetched(0, 100, 300));
    b.accept(fetched(1, 0, 300));
    const position = positionOf();
    const first = b.take(250, position);
    expect(first.values).toHaveLength(250);
    expect(position).toEqual(positionOf({ 0: 350 }));
    const second = b.take(250, position);
    expect(second.partitions.filter((p) => p === 0)).toHaveLength(50);
    expect(second.offsets.slice(49, 52)).toEqual([399, 0, 1]);
    expect(position).toEqual(positionOf({ 0: 400, 1: 200 }));
    expect(b.take(1_000, position).values).toHaveLength(100);
    expect(b.take(1_000, position).values).toEqual([]);
  });

  it('pauses fetching at the limit and resumes below half of it', () => {
    const { buffer: b, told } = buffer(100);
    b.accept(fetched(0, 0, 60));
    expect(told).toEqual([]);
    b.accept(fetched(0, 60, 60));
    expect(told).toEqual([{ type: 'pause' }]);
    b.accept(fetched(0, 120, 60)); // fetched before the pause took effect: kept, no second pause
    b.take(120, positionOf());
    expect(told).toEqual([{ type: 'pause' }]); // 60 left: not below half
    b.take(11, positionOf());
    expect(told).toEqual([{ type: 'pause' }, { type: 'resume' }]);
  });

  it('serves again what was handed out since the checkpoint, without a seek; what a checkpoint covers is gone', () => {
    const { buffer: b, told } = buffer();
    b.accept(fetched(0, 0, 10));
    b.take(10, positionOf());
    b.checkpointed({ 0: 4 });
    b.rewind(positionOf({ 0: 6 }));
    expect(b.take(100, positionOf()).offsets).toEqual([6, 7, 8, 9]);
    expect(told).toEqual([]);
  });

  it('seeks for what lies before the last durable checkpoint: the buffer no longer holds it', () => {
    const { buffer: b, told } = buffer();
    b.accept(fetched(0, 0, 10));
    b.take(10, positionOf());
    b.checkpointed({ 0: 4 });
    b.rewind(positionOf({ 0: 2 }));
    expect(told).toEqual([{ type: 'seek', partition: 0, offset: 2, epoch: 1 }]);
    expect(b.buffered).toBe(0);
    expect(b.take(100, positionOf()).values).toEqual([]);
  });

  it('after a seek, drops fetches from before it (their epoch) and buffers those after it from the seek on', () => {
    const { buffer: b, told } = buffer();
    b.accept(fetched(0, 0, 10));
    b.rewind(positionOf({ 0: 50 })); // past what is held: a seek
    expect(told).toEqual([{ type: 'seek', partition: 0, offset: 50, epoch: 1 }]);
    b.accept(fetched(0, 10, 100)); // in flight before the seek: would skip 50..109 if taken
    expect(b.buffered).toBe(0);
    b.accept(fetched(0, 50, 5, { epoch: 1 }));
    expect(b.take(100, positionOf()).offsets).toEqual([50, 51, 52, 53, 54]);
  });

  it('a rewind to a later offset than Kafka fetched from cuts the buffer there (committed offsets trail the checkpoint)', () => {
    const { buffer: b, told } = buffer();
    b.startAt([{ partition: 0, low: 0, high: 20 }], new Map([[0, 5]]));
    b.accept(fetched(0, 5, 15));
    b.rewind(positionOf({ 0: 12 }));
    expect(told).toEqual([]);
    expect(b.take(100, positionOf()).offsets).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('drops what a rebalance took away, and buffers it again when the partition comes back (nothing skipped)', () => {
    const { buffer: b } = buffer();
    b.assigned([0, 1]);
    b.accept(fetched(0, 0, 5));
    b.accept(fetched(1, 0, 5));
    b.take(2, positionOf()); // p0@0, p0@1 handed out
    b.assigned([1]);
    expect(b.buffered).toBe(5);
    expect(b.owns(0)).toBe(false);
    b.accept(fetched(0, 5, 5)); // fetched before the rebalance: not ours
    expect(b.buffered).toBe(5);
    b.assigned([0, 1]);
    b.accept(fetched(0, 0, 10)); // the new owner's view from the committed offset
    const taken = b.take(100, positionOf());
    expect(taken.values.filter((v) => v.startsWith('p0@'))).toEqual([
      'p0@2',
      'p0@3',
      'p0@4',
      'p0@5',
      'p0@6',
      'p0@7',
      'p0@8',
      'p0@9',
    ]);
    expect(taken.values.filter((v) => v.startsWith('p1@'))).toHaveLength(5);
  });

  it('names as pending the partitions with records buffered or below the end of their log', () => {
    const { buffer: b } = buffer();
    b.startAt(
      [
        { partition: 0, low: 0, high: 10 },
        { partition: 1, low: 0, high: 0 },
        { partition: 2, low: 3, high: 8 },
      ],
      new Map([[2, -1]]), // -1: no committed offset, start at the log's start
    );
    expect(b.pending()).toEqual([0, 2]);
    b.accept(fetched(0, 0, 10));
    b.accept(fetched(2, 3, 5));
    const position = positionOf();
    b.take(12, position);
    expect(b.pending()).toEqual([2]);
    expect(b.handedOutUpTo(new Map([[0, 10]]))).toBe(true);
    expect(b.handedOutUpTo(new Map([[2, 8]]))).toBe(false);
    b.take(12, position);
    expect(b.pending()).toEqual([]);
    expect(b.handedOutUpTo(new Map([[2, 8]]))).toBe(true);
  });
});
