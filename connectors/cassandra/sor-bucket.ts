import { createHash } from 'node:crypto';
import type { PipelineNode } from '../../compiler/ir/index.ts';

/** How many hash buckets the row layout (before blocks) spread a system of record without event time over. */
const rowHashBuckets = 64;

/** The bucket of an event with no (usable) event time in the row layout: its day cannot be known. */
export const noTimeBucket = 'no-time';

/**
 * The row layout's hash bucket of an event id (as stored: text). Only the id
 * counts, so two deliveries of one event with different payloads (a retry
 * that stamps its own send time) land on one row, as in the embedded store.
 */
export function idBucket(eventId: string): string {
  return `h${createHash('sha1').update(eventId).digest()[0]! % rowHashBuckets}`;
}

/** Every hash bucket name of the row layout, for looking an id up across them. */
export const allHashBuckets: readonly string[] = Array.from({ length: rowHashBuckets }, (_, i) => `h${i}`);

/** Block layout: the span of event time one partition holds (ten minutes). */
export const slotMs = 10 * 60_000;
/** Block layout: the id buckets each time slot is split into, so that a slot is spread over the ring. */
export const slotBuckets = 16;
/** Block layout: the id buckets of a pipeline without event time after its archive (its events have no slot). */
export const timelessBuckets = 64;

/**
 * FNV-1a over the id's UTF-16 code units, then Murmur3's finalizer so that
 * ids differing only in their last digit spread over every bucket: stable
 * forever (it names stored partitions), and cheap enough for every event.
 */
export function idHash(eventId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    h ^= eventId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Where an archived event goes, in each layout a Cassandra system of record may have. */
export interface SorBucketing {
  /** The row layout (one row an event): UTC day, `no-time`, or `h0`–`h63`. */
  row(event: unknown, eventId: string): string;
  /** The block layout: a 10-minute slot of event time and an id bucket, e.g. `2024-01-01T00:10/b7` (`hash`: the id's `idHash`). */
  block(event: unknown, eventId: string, hash?: number): string;
}

/** Event time as ms, or undefined where it throws or is not a time a Date can hold (toISOString would throw). */
function timeOf(fn: (e: unknown) => number | Date, event: unknown): number | undefined {
  try {
    const t = fn(event);
    const ms = t instanceof Date ? t.getTime() : Number(t);
    return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The partition bucket of an archived event: by event time when the
 * pipeline defines it after the archive, else by a hash of the event id.
 * Either way a pure function of the event and its id, so a replay writes
 * the same partition, and every copy of one id (with one event time) is in
 * one partition, where a reader de-duplicates it. Never throws: an event
 * time that throws or is not a finite number puts the event in a `no-time`
 * bucket (the event-time step dead-letters the record itself, with the
 * reason), so one bad record cannot fail every batch it is in.
 */
export function sorBucket(pipeline: PipelineNode): SorBucketing {
  const archive = pipeline.steps.findIndex((s) => s.kind === 'Archive');
  const eventTime = pipeline.steps.slice(archive + 1).find((s) => s.kind === 'EventTime');
  if (eventTime && eventTime.kind === 'EventTime') {
    const fn = eventTime.fn.fn as (e: unknown) => number | Date;
    // Events of a batch mostly share a slot: its bucket names are made once, not a string an event (one
    // string object a bucket also makes the writer's grouping by bucket a look-up of a hash already known).
    let slotStart = NaN;
    let slotNames: readonly string[] = [];
    const slotOf = (ms: number) => {
      const start = ms - (((ms % slotMs) + slotMs) % slotMs);
      if (start !== slotStart)
        [slotStart, slotNames] = [start, bucketNames(new Date(start).toISOString().slice(0, 16))];
      return slotNames;
    };
    return {
      row(event) {
        const ms = timeOf(fn, event);
        return ms === undefined ? noTimeBucket : new Date(ms).toISOString().slice(0, 10);
      },
      block(event, eventId, hash = idHash(eventId)) {
        const ms = timeOf(fn, event);
        return (ms === undefined ? noTimeNames : slotOf(ms))[hash % slotBuckets]!;
      },
    };
  }
  return bucketById;
}

/** The block layout's bucket names of one slot (`<slot>/b0` … `<slot>/b15`), or of the ids alone (`id/b0` … `id/b63`). */
const bucketNames = (prefix: string, count = slotBuckets): readonly string[] =>
  Array.from({ length: count }, (_, b) => `${prefix}/b${b}`);
const noTimeNames = bucketNames(noTimeBucket);
const idNames = bucketNames('id', timelessBuckets);

/** The buckets of a pipeline without event time after its archive: by event id alone. */
export const bucketById: SorBucketing = Object.freeze({
  row: (_event: unknown, eventId: string) => idBucket(eventId),
  block: (_event: unknown, eventId: string, hash = idHash(eventId)) => idNames[hash % timelessBuckets]!,
});
