import type ts from 'typescript';
import type { CallExpression, Node } from 'ts-morph';
import { graphOf } from '../../analysis/call-graph/morph.ts';
import { describeReach, handlerLabel, resendAround, resentFrom } from '../../analysis/call-graph/replay-contexts.ts';
import { keptOnFailure } from '../../analysis/call-graph/kept-on-failure.ts';
import { retryLoopAround } from '../../analysis/call-graph/retry-shape.ts';
import { displayName, displayTable } from '../../analysis/cql.ts';
import { dedupGuardBefore } from '../driver/dedup-guard.ts';
import { driverCalls } from '../driver/driver-calls.ts';
import { rerunContextOf } from '../driver/rerun-context.ts';
import { storeCounters } from '../driver/store-counters.ts';
import { defineSourceRule, type SourceRuleContext } from '../source-rule.ts';

type Message =
  | 'idempotentFlag'
  | 'retryHelper'
  | 'retryLoop'
  | 'retryRecursion'
  | 'resentUpdate'
  | 'keptOnFailure'
  | 'kafkaHandler'
  | 'consumerCallback'
  | 'retriedCaller'
  | 'dedupGuarded';

/**
 * The seed's counter anti-pattern in plain driver code: `UPDATE t SET c = c + ?`
 * (or Redis `INCRBY`, MongoDB `$inc`) sent by something that may send it again. The driver retries statements
 * marked idempotent; retry helpers and loops resend after a timeout whose
 * write did land; a Kafka handler is redelivered after a crash. Each resend
 * adds the delta again and nothing records that it happened.
 */
export default defineSourceRule<Message>({
  meta: {
    code: 'IDEM010',
    name: 'counter-update-retried',
    severity: 'error',
    description:
      "A counter update (CQL `SET c = c + ?`, Redis `INCR`/`HINCRBY`, MongoDB `$inc`) sent by code that may send it again: the driver's retries, a retry helper or loop, or a Kafka handler.",
    messages: {
      idempotentFlag:
        'Counter update of {{counter}} is marked isIdempotent: true{{where}}: the driver retries it after a timeout, and a retried delta is counted twice.',
      retryHelper:
        'Counter update of {{counter}} runs inside {{helper}}(), which calls it again on failure (or a second time while the first is slow, a hedge){{via}}: a write that landed but timed out is counted twice.',
      retryLoop:
        'Counter update of {{counter}} sits in a retry loop (its failure is caught inside the loop at line {{line}}, by a try/catch or a failure handler of its promise, and the loop sends it again): a write that landed but timed out is counted twice.',
      retryRecursion:
        'Counter update of {{counter}} is sent again when it fails (line {{line}} sends it again): a write that landed but timed out is counted twice.',
      resentUpdate:
        'Counter update of {{counter}} sends the update of line {{line}} again when that one fails: if the first landed and only its answer was lost, the delta is counted twice.',
      keptOnFailure:
        'Counter update of {{counter}} is made from {{state}}, which is emptied only after the write succeeds (the catch at line {{line}} ends the failure): the next run sends the same deltas again, and a write that landed but timed out is counted twice.',
      kafkaHandler:
        'Counter update of {{counter}} runs in a {{handler}} handler{{via}}: Kafka redelivers messages after a crash or rebalance (at least once), and each redelivery adds the delta again.',
      consumerCallback: 'Counter update of {{counter}} runs in {{context}}: each redelivery adds the delta again.',
      retriedCaller:
        'Counter update of {{counter}} runs in {{context}}: a write that landed but timed out is counted twice.',
      dedupGuarded:
        'Counter update of {{counter}} is guarded by the de-duplication row of line {{line}} (INSERT … IF NOT EXISTS by offset, wasApplied() checked): a redelivery is skipped. A crash between the two writes still loses this delta (an undercount; the row says it was counted).',
    },
    fixes: {
      idempotentFlag:
        'Counters are never idempotent: drop isIdempotent (false is the default) — better, aggregate in the stream and write whole totals with an INSERT/UPDATE SET c = ? keyed by (key, window).',
      retryHelper:
        'Write whole aggregates with SET c = ? (idempotent; in Redis a SET/HSET of the total, in MongoDB $set) so a retry overwrites; or keep the counter and remove the retry, accepting undercounts that a correcting batch job fixes.',
      retryLoop:
        'Write whole aggregates with SET c = ? (idempotent; in Redis a SET/HSET of the total, in MongoDB $set) so a retry overwrites; or keep the counter and remove the retry, accepting undercounts that a correcting batch job fixes.',
      retryRecursion:
        'Write whole aggregates with SET c = ? (idempotent; in Redis a SET/HSET of the total, in MongoDB $set) so a resend overwrites; or let the failure surface instead of sending the delta again.',
      resentUpdate:
        'Write whole aggregates with SET c = ? (idempotent; in Redis a SET/HSET of the total, in MongoDB $set) so a resend overwrites; or let the failure surface instead of sending the delta again.',
      keptOnFailure:
        'Write whole totals with SET c = ? (idempotent) so a resend overwrites; or take the deltas out of the buffer before the write and let a failed write be lost (an undercount a correcting batch job repairs).',
      kafkaHandler:
        'Aggregate per (key, window) and write the whole total with SET c = ? (Redis SET/HSET, MongoDB $set), keyed deterministically; keep raw events in a system of record keyed by event id for repair.',
      consumerCallback:
        'Aggregate per (key, window) and write the whole total with SET c = ? (Redis SET/HSET, MongoDB $set), keyed deterministically; keep raw events in a system of record keyed by event id for repair.',
      retriedCaller:
        'Write whole aggregates with SET c = ? (idempotent; in Redis a SET/HSET of the total, in MongoDB $set) so a retry overwrites; or keep the counter and remove the retry, accepting undercounts that a correcting batch job fixes.',
      dedupGuarded:
        'Acceptable where a rare undercount is; to close the gap, write whole totals (SET c = ?) or a correcting batch job from a system of record.',
    },
  },
  check(file, context) {
    for (const driverCall of context.driverCalls()) {
      // `tags = tags + ?` on a set or map column (by the schema found) adds elements: not a delta.
      const deltasOf = (write: { table: string; counterDeltas: readonly string[] }) => {
        const unions = context.setAndMapColumns(write.table);
        return write.counterDeltas.filter((c) => !unions.includes(c));
      };
      const counter = driverCall.statements.find((s) => s.write && deltasOf(s.write).length > 0);
      if (!counter?.write) continue;
      const data = {
        counter: `${displayTable(counter.write.table)}.${displayName(deltasOf(counter.write)[0]!)}`,
        where: '',
        via: '',
      };
      const node = driverCall.name;
      if (driverCall.isIdempotent) {
        context.report({
          messageId: 'idempotentFlag',
          node,
          data: { ...data, where: driverCall.method === 'batch' ? ' (batch)' : '' },
        });
        continue;
      }
      const guard = dedupGuardBefore(driverCall, (other) =>
        other === file ? context.driverCalls() : driverCalls(other, context.evaluator),
      );
      if (guard) {
        context.report({
          messageId: 'dedupGuarded',
          node,
          severity: 'note',
          data: { ...data, line: guard.call.getStartLineNumber() },
        });
        continue;
      }
      reportResent(driverCall.call, node, data, context.report, driverCall.through);
    }
    // Redis INCR/HINCRBY and MongoDB $inc are deltas too: the same rule, the same contexts.
    for (const store of storeCounters(file))
      reportResent(store.call, store.name, { counter: store.counter, where: '', via: '' }, context.report);
  },
});

/** Reports the counter update `call` if something may send it again: a loop, a resend, a handler, a retry helper. */
function reportResent(
  call: CallExpression,
  node: Node,
  data: Readonly<Record<string, string>>,
  report: SourceRuleContext<Message>['report'],
  through?: CallExpression,
): void {
  const graph = graphOf(call);
  const send = graph.node as ts.CallExpression;
  const lineOf = (at: ts.Node) => at.getSourceFile().getLineAndCharacterOfPosition(at.getStart()).line + 1;
  // A helper that sends the caller's CQL may retry it itself.
  const inner = through && (graphOf(through).node as ts.CallExpression);
  const loop = retryLoopAround(send, graph.checker) ?? (inner && retryLoopAround(inner, graph.checker));
  if (loop) return report({ messageId: 'retryLoop', node, data: { ...data, line: lineOf(loop) } });
  const emitted = (emit: ts.CallExpression) => graph.contexts.emittedListeners(emit);
  const resend = resendAround(send, graph.checker, emitted) ?? (inner && resendAround(inner, graph.checker, emitted));
  if (resend) return report({ messageId: 'retryRecursion', node, data: { ...data, line: lineOf(resend) } });
  const first = resentFrom(send);
  if (first) return report({ messageId: 'resentUpdate', node, data: { ...data, line: lineOf(first) } });
  const kept = keptOnFailure(send, graph.checker);
  if (kept)
    return report({ messageId: 'keptOnFailure', node, data: { ...data, state: kept.state, line: lineOf(kept.at) } });
  // A handler or retry helper around the write or reached from one (also registered elsewhere, by any
  // name), node-rdkafka / Confluent callbacks and stream steps, or one of these up to three callers away.
  const rerun = rerunContextOf(call);
  const replay = rerun?.replay;
  if (replay?.kind === 'kafka')
    report({
      messageId: 'kafkaHandler',
      node,
      data: { ...data, handler: handlerLabel(replay.handler), via: describeReach(replay) },
    });
  else if (replay?.kind === 'retry')
    report({ messageId: 'retryHelper', node, data: { ...data, helper: replay.helper, via: describeReach(replay) } });
  else if (rerun?.kind === 'delivery')
    report({ messageId: 'consumerCallback', node, data: { ...data, context: rerun.describe } });
  // A retry loop (or helper) around a call of the function that sends it, found through its callers.
  else if (rerun?.kind === 'retry')
    report({ messageId: 'retriedCaller', node, data: { ...data, context: rerun.describe } });
}
