import { createHash } from 'node:crypto';
import type { PipelineNode } from '../../compiler/ir/index.ts';

/**
 * The partition bucket of an archived event: its UTC day of event time when
 * the pipeline defines event time after the archive, else one of 64 hash
 * buckets of the event id. Either way a pure function of the event, so a
 * replay writes the same row.
 */
export function sorBucket(pipeline: PipelineNode): (event: unknown) => string {
  const archive = pipeline.steps.findIndex((s) => s.kind === 'Archive');
  const eventTime = pipeline.steps.slice(archive + 1).find((s) => s.kind === 'EventTime');
  if (eventTime && eventTime.kind === 'EventTime') {
    const fn = eventTime.fn.fn as (e: unknown) => number | Date;
    return (event) => {
      const t = fn(event);
      const ms = t instanceof Date ? t.getTime() : Number(t);
      return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : 'no-time';
    };
  }
  return (event) => `h${createHash('sha1').update(JSON.stringify(event)).digest()[0]! % 64}`;
}
