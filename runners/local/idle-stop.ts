import type { SourceBatch } from '../../runtime/sources/source-reader.ts';

/**
 * How long `--until-idle` waits past its limit while the source knows of
 * records it has not delivered yet (Kafka: a partition read below the end of
 * its log as last seen). A slow group rejoin or a fetch held up on a loaded
 * machine is silence from the consumer, not the end of the input; stopping
 * then would end the run with its backlog unread. The wait is bounded: a
 * partition whose log ends in records a consumer never delivers (a
 * transaction's commit marker) must not keep the run alive for ever.
 */
export const unreadGraceMs = 30_000;

/**
 * Whether a run idle for `idleMs` stops now. With splits still to deliver it
 * waits up to `graceMs` more, saying so once, and names them if it stops anyway.
 */
export function idleStopDue(
  last: SourceBatch,
  idleMs: number,
  untilIdleMs: number,
  say: { once(line: string): void; log(line: string): void },
  graceMs = unreadGraceMs,
): boolean {
  if (idleMs < untilIdleMs) return false;
  const unread = last.pendingSplits?.() ?? [];
  if (unread.length === 0) return true;
  if (idleMs < untilIdleMs + graceMs) {
    say.once(
      `--until-idle: no records for ${untilIdleMs} ms, but partitions [${unread.join(', ')}] hold records not read yet; waiting up to ${graceMs / 1000} s more for them`,
    );
    return false;
  }
  say.log(
    `--until-idle: stopping with partitions [${unread.join(', ')}] not read to the end of their log as last seen; those records stay in Kafka and the next run reads them`,
  );
  return true;
}
