import { PipelineNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

/**
 * Without the raw events kept somewhere replayable, a message lost before the
 * pipeline saw it (at the queue, or by a receiver) can never be repaired: the
 * aggregate is wrong for good.
 */
export default defineRule({
  meta: {
    code: 'IDEM006',
    name: 'no-system-of-record',
    severity: 'note',
    description: 'No system of record: a message lost at the queue cannot be repaired by replay.',
    messages: {
      noReplay:
        'The pipeline keeps no system of record: messages lost at the queue or in flight cannot be replayed, so a wrong aggregate stays wrong.',
    },
    fixes: {
      noReplay:
        "Archive raw events before aggregating: .archive(cassandra.systemOfRecord({ keyspace, table, id: 'eventId' })); `idemflow repair` then recomputes aggregates from it.",
    },
  },
  check(pipeline, context) {
    // A pipeline that reads the system of record is the correcting job itself.
    if (pipeline.source.connector === 'cassandra-table' || PipelineNode.systemsOfRecord(pipeline).length > 0) return;
    context.report({ messageId: 'noReplay', node: pipeline });
  },
});
