import { createHash } from 'node:crypto';
import type { PipelineNode } from '../../compiler/ir/index.ts';

/** How many hash buckets a system of record without event time is spread over. */
const hashBuckets = 64;

/** The bucket of an event with no (usable) event time: its day cannot be known. */
export const noTimeBucket = 'no-time';

/**
 * The hash bucket of an event id (as stored: text). Only the id counts, so
 * two deliveries of one event with different payloads (a retry that stamps
 * its own send time) land on one row, as they do in the embedded store.
 */
export function idBucket(eventId: string): string {
  return `h${createHash('sha1').update(eventId).digest()[0]! % hashBuckets}`;
}

/** Every hash bucket name, for looking an id up across them. */
export const allHashBuckets: readonly string[] = Array.from({ length: hashBuckets }, (_, i) => `h${i}`);

/**
 * The partition bucket of an archived event: its UTC day of event time when
 * the pipeline defines event time after the archive, else one of 64 hash
 * buckets of the event id. Either way a pure function of the event, so a
 * replay writes the same row. Never throws: an event time that throws or is
 * not a finite number puts the event in the `no-time` bucket (the event-time
 * step dead-letters the record itself, with the reason), so one bad record
 * cannot fail every batch it is in.
 */
export function sorBucket(pipeline: PipelineNode): (event: unknown, eventId: string) => string {
  const archive = pipeline.steps.findIndex((s) => s.kind === 'Archive');
  const eventTime = pipeline.steps.slice(archive + 1).find((s) => s.kind === 'EventTime');
  if (eventTime && eventTime.kind === 'EventTime') {
    const fn = eventTime.fn.fn as (e: unknown) => number | Date;
    return (event) => {
      let ms: number;
      try {
        const t = fn(event);
        ms = t instanceof Date ? t.getTime() : Number(t);
      } catch {
        return noTimeBucket;
      }
      return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : noTimeBucket;
    };
  }
  return (_event, eventId) => idBucket(eventId);
}
