import { PipelineNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

/**
 * A plain receiver acknowledges records as soon as they are in memory; a
 * crash loses them, and with neither a WAL nor a system of record nothing can
 * bring them back.
 */
export default defineRule({
  meta: {
    code: 'IDEM005',
    name: 'receiver-without-durability',
    severity: 'warning',
    description:
      'Receiver source with neither a write-ahead log nor a system of record: records received before a crash are lost for good.',
    messages: {
      lost: 'The {{connector}} receiver has no write-ahead log and the pipeline keeps no system of record: records received but not yet written are lost on a crash and cannot be replayed.',
    },
    fixes: {
      lost: 'Add .withWal({ dir }) right after the source, or .archive(cassandra.systemOfRecord({ … })) so repair can replay; or read from Kafka, which replays from offsets.',
    },
  },
  check(pipeline, context) {
    if (pipeline.source.delivery !== 'receiver' || PipelineNode.systemsOfRecord(pipeline).length > 0) return;
    context.report({ messageId: 'lost', node: pipeline.source, data: { connector: pipeline.source.connector } });
  },
});
