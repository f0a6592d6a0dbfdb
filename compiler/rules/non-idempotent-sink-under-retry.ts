import { SinkNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';
import { deliveryLabel, isAtLeastOnce } from './delivery.ts';

/** A sink that says a repeated write is not harmless, and is then told to repeat writes (its retries, or a source that replays). */
export default defineRule({
  meta: {
    code: 'IDEM008',
    name: 'non-idempotent-sink-under-retry',
    severity: 'error',
    description:
      'Custom sink declared non-idempotent but retried, or fed by a source that replays: a repeated write is applied twice.',
    messages: {
      retried:
        'Sink {{sink}} is declared idempotent: false but retries failed writes ({{retries}} retries): a write whose acknowledgement is lost is applied twice.',
      replayed:
        "Sink {{sink}} is declared idempotent: false and fed by {{delivery}}: records redelivered after a crash are written again, retry: 'none' or not.",
    },
    fixes: {
      retried:
        "Make the write idempotent (write whole values under a deterministic key, or deduplicate by event id) and declare idempotent: true; or set retry: 'none' and accept loss.",
      replayed:
        "Make the write idempotent (whole values under a deterministic key, or deduplicate by event id) and declare idempotent: true; retry: 'none' does not stop a replaying source.",
    },
  },
  check(pipeline, context) {
    const sink = pipeline.sink;
    if (sink.mode !== 'custom' || sink.idempotent) return;
    if (sink.retry.retries > 0)
      context.report({
        messageId: 'retried',
        node: sink,
        data: { sink: SinkNode.label(sink), retries: sink.retry.retries },
      });
    // Like IDEM001 for counters: the replay is the source's doing, so the finding points at the source.
    if (isAtLeastOnce(pipeline.source.delivery))
      context.report({
        messageId: 'replayed',
        node: pipeline.source,
        data: { sink: SinkNode.label(sink), delivery: deliveryLabel[pipeline.source.delivery] },
      });
  },
});
