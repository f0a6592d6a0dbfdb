import { counterUpdateOfSink, repeatedWriteOfSink } from '../analysis/call-graph/sink-counter.ts';
import { diskPrograms } from '../analysis/call-graph/program-source.ts';
import { locationOfNode } from '../analysis/call-graph/nondet.ts';
import { displayName, displayTable } from '../analysis/cql.ts';
import { PipelineNode, SinkNode } from '../ir/index.ts';
import { defineRule, type RuleContext } from '../rule.ts';
import { deliveryLabel, isAtLeastOnce } from './delivery.ts';

type Message = 'retried' | 'replayed' | 'counterDeclaredIdempotent' | 'writeDeclaredIdempotent';

/**
 * `idempotent: true` is a claim about `write`'s body. A body that adds a
 * delta to a counter (`SET c = c + ?`) — itself, through a helper, or in a
 * batch built with `.map` — is not idempotent whatever it declares, so its
 * retries and a replaying source add the delta again.
 */
function checkDeclaration(pipeline: PipelineNode, sink: SinkNode, context: RuleContext<Message>): void {
  const repeats = [
    ...(sink.retry.retries > 0 ? [`its ${sink.retry.retries} retries`] : []),
    ...(isAtLeastOnce(pipeline.source.delivery) ? [deliveryLabel[pipeline.source.delivery]] : []),
  ];
  if (repeats.length === 0) return; // written once at most: an undercount at worst, not an overcount
  const programs = context.programs ?? diskPrograms;
  const counter = counterUpdateOfSink(sink, programs);
  if (!counter) return reportRepeatedWrite(sink, context, repeats);
  context.report({
    messageId: 'counterDeclaredIdempotent',
    node: { location: locationOfNode(counter.at) },
    data: {
      sink: SinkNode.label(sink),
      table: displayTable(counter.table),
      column: displayName(counter.column),
      via: counter.via.length > 0 ? ` (through \`${counter.via.join('()` → `')}()\`)` : '',
      repeats: repeats.join(' and '),
    },
  });
}

/** An append, a read value written back changed, a total kept for the process: repeated, each applies twice. */
function reportRepeatedWrite(sink: SinkNode, context: RuleContext<Message>, repeats: readonly string[]): void {
  const write = repeatedWriteOfSink(sink, context.programs ?? diskPrograms);
  if (!write) return;
  context.report({
    messageId: 'writeDeclaredIdempotent',
    node: { location: locationOfNode(write.at) },
    data: {
      sink: SinkNode.label(sink),
      what: write.what,
      via: write.via.length > 0 ? ` (through \`${write.via.join('()` → `')}()\`)` : '',
      repeats: repeats.join(' and '),
    },
  });
}

/** A sink that says a repeated write is not harmless, and is then told to repeat writes (its retries, or a source that replays). */
export default defineRule<Message>({
  meta: {
    code: 'IDEM008',
    name: 'non-idempotent-sink-under-retry',
    severity: 'error',
    description:
      'Custom sink that is not idempotent (declared so, or its write adds to a counter) but retried, or fed by a source that replays: a repeated write is applied twice.',
    messages: {
      retried:
        'Sink {{sink}} is declared idempotent: false but retries failed writes ({{retries}} retries): a write whose acknowledgement is lost is applied twice.',
      replayed:
        "Sink {{sink}} is declared idempotent: false and fed by {{delivery}}: records redelivered after a crash are written again, retry: 'none' or not.",
      counterDeclaredIdempotent:
        'Sink {{sink}} is declared idempotent: true, but its write adds a delta to the counter {{table}}.{{column}}{{via}}: a repeated write adds it again, and this sink repeats writes through {{repeats}}.',
      writeDeclaredIdempotent:
        'Sink {{sink}} is declared idempotent: true, but its write {{what}}{{via}}: a repeated write does it again, and this sink repeats writes through {{repeats}}.',
    },
    fixes: {
      retried:
        "Make the write idempotent (write whole values under a deterministic key, or deduplicate by event id) and declare idempotent: true; or set retry: 'none' and accept loss.",
      replayed:
        "Make the write idempotent (whole values under a deterministic key, or deduplicate by event id) and declare idempotent: true; retry: 'none' does not stop a replaying source.",
      counterDeclaredIdempotent:
        "Write the whole total instead of a delta (SET c = ? keyed by the group key and the window, or cassandra.upsert), or declare idempotent: false and face IDEM008's retry and replay findings.",
      writeDeclaredIdempotent:
        "Write whole values under a key the row determines (SET total = ? keyed by the group key and the window, or cassandra.upsert), never a value read and changed or an appended row; or declare idempotent: false and face IDEM008's retry and replay findings.",
    },
  },
  check(pipeline, context) {
    // The pipeline's sink, and a custom dead-letter sink of a `.parse()`: a redelivered bad record is written again.
    for (const sink of PipelineNode.sinks(pipeline)) if (sink.mode === 'custom') checkSink(pipeline, sink, context);
  },
});

function checkSink(pipeline: PipelineNode, sink: SinkNode, context: RuleContext<Message>): void {
  if (sink.idempotent) return checkDeclaration(pipeline, sink, context);
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
}
