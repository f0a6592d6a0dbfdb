import { PipelineNode, SinkNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';
import { deliveryLabel, isAtLeastOnce } from './delivery.ts';

/**
 * A counter adds a delta on every write. Anything that writes the same delta
 * twice — a retry after a lost acknowledgement, a source that redelivers, a
 * replay from the system of record — counts it twice, and nothing records
 * that it happened. The seed's anti-pattern.
 */
export default defineRule({
  meta: {
    code: 'IDEM001',
    name: 'counter-under-retry',
    severity: 'error',
    description:
      'Counter sink that can write the same delta twice (retries, at-least-once source, or replay): an overcount that can never be detected.',
    messages: {
      retry:
        'Counter sink {{sink}} retries failed writes ({{retries}} retries): a write whose acknowledgement is lost is applied again, an overcount that can never be detected.',
      atLeastOnce:
        'Counter sink {{sink}} is fed by {{delivery}}: records redelivered after a failure are counted again.',
      replay:
        'Counter sink {{sink}} sits behind a system of record: a repair or replay adds every delta again instead of correcting the total.',
    },
    fixes: {
      retry:
        'Aggregate in the stream and write the whole total with an upsert (cassandra.upsert) keyed by (key, window); then retries are harmless.',
      atLeastOnce:
        'Replace the counter with cassandra.upsert writing the whole aggregate for a deterministic (key, window).',
      replay: 'Use cassandra.upsert: repair recomputes totals from the system of record and overwrites them.',
    },
  },
  check(pipeline, context) {
    const sink = pipeline.sink;
    if (sink.mode !== 'counter') return;
    const data = {
      sink: SinkNode.label(sink),
      retries: sink.retry.retries,
      delivery: deliveryLabel[pipeline.source.delivery],
    };
    if (sink.retry.retries > 0) context.report({ messageId: 'retry', node: sink, data });
    if (isAtLeastOnce(pipeline.source.delivery))
      context.report({ messageId: 'atLeastOnce', node: pipeline.source, data });
    if (PipelineNode.systemsOfRecord(pipeline).length > 0) context.report({ messageId: 'replay', node: sink, data });
  },
});
