import { repairDerivation } from '../analysis/repair-derivation.ts';
import { SinkNode, type StepNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

const call: Partial<Record<StepNode['kind'], string>> = { Map: '.map()', FlatMap: '.flatMap()', Parse: '.parse()' };

/**
 * `.withEventTime()` attaches a time to the record; the archive stores the
 * record, not that time. Repair recomputes event time from the archived
 * record, which is exact unless a step between the two changed the record:
 * then repair could not place events in their windows, and it refuses.
 */
export default defineRule({
  meta: {
    code: 'IDEM014',
    name: 'event-time-lost-by-archive',
    severity: 'warning',
    description:
      'Event time taken before a step that changes the record, then archived: repair cannot rebuild the windows.',
    messages: {
      lost: 'Event time is taken before {{change}}, which changes the record that {{sink}} archives: repair cannot recompute event time from the archived record, so `idemflow repair` refuses this pipeline.',
    },
    fixes: {
      lost: 'Call .withEventTime() after {{change}} (or after .archive()), so that it reads the record the system of record keeps.',
    },
  },
  check(pipeline, context) {
    const derivation = repairDerivation(pipeline);
    if (derivation.repairable || derivation.reason !== 'event-time-before-change') return;
    const change = call[derivation.change.kind] ?? `.${derivation.change.kind}()`;
    context.report({
      messageId: 'lost',
      node: derivation.eventTime,
      data: { change, sink: SinkNode.label(derivation.archive.sink) },
    });
  },
});
