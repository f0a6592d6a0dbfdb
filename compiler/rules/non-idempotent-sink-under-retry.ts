import { SinkNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

/** A sink that says a repeated write is not harmless, and is then told to repeat writes. */
export default defineRule({
  meta: {
    code: 'IDEM008',
    name: 'non-idempotent-sink-under-retry',
    severity: 'error',
    description: 'Custom sink declared non-idempotent but retried: a retried write is applied twice.',
    messages: {
      retried: 'Sink {{sink}} is declared idempotent: false but retries failed writes ({{retries}} retries): a write whose acknowledgement is lost is applied twice.',
    },
    fixes: {
      retried: 'Make the write idempotent (write whole values under a deterministic key, or deduplicate by event id) and declare idempotent: true; or set retry: \'none\' and accept loss.',
    },
  },
  check(pipeline, context) {
    const sink = pipeline.sink;
    if (sink.mode !== 'custom' || sink.idempotent || sink.retry.retries === 0) return;
    context.report({ messageId: 'retried', node: sink, data: { sink: SinkNode.label(sink), retries: sink.retry.retries } });
  },
});
