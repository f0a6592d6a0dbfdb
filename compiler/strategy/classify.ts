import { repairDerivation } from '../analysis/repair-derivation.ts';
import { PipelineNode, SinkNode } from '../ir/index.ts';
import { strategies, type Strategy, type StrategyId } from './cheat-sheet.ts';

export interface Classification {
  readonly strategy: Strategy;
  /** Why this row: one line per deciding fact, for `check --explain`. */
  readonly reasons: readonly string[];
}

/**
 * Places a pipeline in the seed's cheat sheet from three facts: does the sink
 * add deltas (counters) or write whole aggregates; how records are delivered
 * (plain, WAL, Kafka Direct API); is there a system of record. Counter rows
 * have no system-of-record variant in the seed, since rewriting cannot repair
 * a counter.
 */
export function classify(pipeline: PipelineNode): Classification {
  const reasons: string[] = [];
  const sink = pipeline.sink;
  const counts = sink.mode === 'counter' || (sink.mode === 'custom' && !sink.idempotent);
  if (sink.mode === 'counter')
    reasons.push(`sink ${SinkNode.label(sink)} adds deltas to a counter → the counters family`);
  else if (counts) reasons.push(`sink ${SinkNode.label(sink)} is declared non-idempotent → treated like a counter`);
  else reasons.push(`sink ${SinkNode.label(sink)} writes whole values (${sink.mode}) → the aggregates family`);

  const source = pipeline.source;
  let delivery: '' | '-wal' | '-direct' = '';
  if (source.delivery === 'offsets') {
    delivery = '-direct';
    reasons.push('source is Kafka: offsets are tracked and replayed → Direct API');
  } else if (source.delivery === 'receiver-wal') {
    delivery = '-wal';
    reasons.push(`source is a ${source.connector} receiver with a write-ahead log → WAL`);
  } else if (source.delivery === 'receiver') {
    reasons.push(`source is a plain ${source.connector} receiver (no WAL): what is in flight at a crash is lost`);
  } else {
    reasons.push(`source is ${source.connector}, a bounded input that can be read again`);
  }

  const sors = PipelineNode.systemsOfRecord(pipeline);
  const derivation = repairDerivation(pipeline);
  // An archive repair cannot replay (event time lost before it, IDEM014) repairs nothing: not a system-of-record row.
  const replayable = derivation.repairable || derivation.reason !== 'event-time-before-change';
  const sor = sors.length > 0 && !counts && replayable ? '-sor' : '';
  if (sors.length > 0) {
    const names = sors.map((s) => SinkNode.label(s)).join(', ');
    if (counts) reasons.push(`system of record ${names} kept, but a counter cannot be repaired by replay`);
    else if (!replayable)
      reasons.push(
        `system of record ${names} kept, but event time is taken before a step that changes the archived record: repair cannot rebuild the windows (IDEM014)`,
      );
    else reasons.push(`raw events kept in system of record ${names} → message replay and repair`);
  } else {
    reasons.push('no system of record: lost messages cannot be replayed');
  }

  const id = `${counts ? 'counters' : 'aggregates'}${sor}${delivery}` as StrategyId;
  return { strategy: strategies[id], reasons };
}
