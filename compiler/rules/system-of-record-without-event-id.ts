import { describeTaintPath, keyUses, taintedAt } from '../analysis/key-uses.ts';
import { PipelineNode, SinkNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

/**
 * The system of record must be keyed by an id that the event itself carries:
 * then writing the same event twice (a retry, a redelivery, a replay) stores
 * it once. Without one, or with a generated one, replays duplicate raw events
 * and repair recomputes inflated totals.
 */
export default defineRule({
  meta: {
    code: 'IDEM007',
    name: 'system-of-record-without-event-id',
    severity: 'error',
    description:
      'System of record without a deterministic event id: replays duplicate raw events and repair overcounts.',
    messages: {
      missingId:
        'System of record {{sink}} has no event id: every redelivery or replay stores the event again, and repair counts it again.',
      nondeterministicId:
        'System of record {{sink}} keys events by {{what}}{{path}}: the same event gets a new id on every replay.',
    },
    fixes: {
      missingId:
        "Give it the event's own id: systemOfRecord({ …, id: 'eventId' }) (or a function of event fields only).",
      nondeterministicId:
        'Derive the id from the event (a producer-assigned id, or a hash of source, partition and offset), never from randomUUID() or the clock.',
    },
  },
  check(pipeline, context) {
    for (const sink of PipelineNode.systemsOfRecord(pipeline)) {
      if (!sink.id) context.report({ messageId: 'missingId', node: sink, data: { sink: SinkNode.label(sink) } });
    }
    for (const use of keyUses(pipeline, context.programs)) {
      if (use.role !== 'event-id' || !use.taint || !use.sink) continue;
      context.report({
        messageId: 'nondeterministicId',
        node: taintedAt(use, use.sink),
        data: { sink: SinkNode.label(use.sink), what: use.taint.what, path: describeTaintPath(use.taint) },
      });
    }
  },
});
