import { SinkNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';
import { isAtLeastOnce } from './delivery.ts';

/**
 * The seed's "counters, no streaming": with no retry a counter cannot
 * overcount from retries, but every failed write is a delta lost for good.
 */
export default defineRule({
  meta: {
    code: 'IDEM002',
    name: 'counter-without-retry',
    severity: 'warning',
    description:
      'Counter sink without retries: every failed write silently undercounts, and the loss cannot be repaired.',
    messages: {
      undercount:
        'Counter sink {{sink}} does not retry: each failed write loses its delta for good (hopeful accuracy at best).',
    },
    fixes: {
      undercount:
        'If only the count matters and loss is acceptable, keep it and say so; otherwise aggregate and write whole totals with cassandra.upsert, which can be retried safely.',
    },
  },
  check(pipeline, context) {
    const sink = pipeline.sink;
    if (sink.mode !== 'counter' || sink.retry.retries > 0 || isAtLeastOnce(pipeline.source.delivery)) return;
    context.report({ messageId: 'undercount', node: sink, data: { sink: SinkNode.label(sink) } });
  },
});
