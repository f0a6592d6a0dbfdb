import { describeTaintPath, keyUses, taintedAt, type KeyRole } from '../analysis/key-uses.ts';
import { SinkNode } from '../ir/index.ts';
import { defineRule } from '../rule.ts';

type Message = Exclude<KeyRole, 'event-id'>;

/**
 * Keys and window bounds must come from the event. A key made from the clock
 * or randomness is different on every replay, so a retry or repair writes a
 * new row instead of overwriting the old one (the seed's `bind(…, new Date())`).
 */
export default defineRule<Message>({
  meta: {
    code: 'IDEM003',
    name: 'nondeterministic-key',
    severity: 'error',
    description:
      'Key, window or event time computed from the clock or randomness: a replay writes new rows instead of overwriting.',
    messages: {
      'event-time':
        'Event time comes from {{what}}{{path}}: windows would differ on every replay, so replays write new rows.',
      'group-key': 'The group key comes from {{what}}{{path}}: a replay groups the same events under new keys.',
      'sink-key':
        'Key column `{{column}}` of {{sink}} is written from {{what}}{{path}}: a retry or replay writes a new row instead of overwriting the old one.',
    },
    fixes: {
      'event-time':
        'Take the time from the event itself, e.g. .withEventTime(e => e.ts), and stamp records at the producer, not in the pipeline.',
      'group-key':
        "Group by fields of the event only (e.g. groupBy('sensorId')); put time into the key through .window(), which uses event time.",
      'sink-key':
        "Map the column to a field of the row: the group key ('key') or the window ('windowStart'), never to new Date() or a random id.",
    },
  },
  check(pipeline, context) {
    for (const use of keyUses(pipeline, context.programs)) {
      if (!use.taint || use.role === 'event-id') continue;
      context.report({
        messageId: use.role,
        node: taintedAt(use),
        data: {
          what: use.taint.what,
          path: describeTaintPath(use.taint),
          column: use.column?.column ?? '',
          sink: use.sink ? SinkNode.label(use.sink) : '',
        },
      });
    }
  },
});
