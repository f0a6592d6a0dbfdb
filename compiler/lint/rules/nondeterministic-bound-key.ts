import { Node } from 'ts-morph';
import { graphOf } from '../../analysis/call-graph/morph.ts';
import { describeNondet, type NotFollowed } from '../../analysis/call-graph/value-origin.ts';
import { findNondeterministic } from '../../analysis/nondeterministic-expression.ts';
import { constInitializer } from '../driver/driver-calls.ts';
import { nondeterministicCqlFunction } from '../driver/cql.ts';
import { defineSourceRule } from '../source-rule.ts';

type Message = 'boundParameter' | 'viaVariable' | 'cqlFunction';

/**
 * IDEM003 for driver code: a primary-key column of an INSERT or UPDATE bound
 * to the clock or randomness (`new Date()`, `uuid()`, `TimeUuid.now()`, CQL's
 * `now()`). A retry or replay then writes a new row next to the old one, so
 * the seed's "idempotent data model" silently stops being one.
 */
export default defineSourceRule<Message>({
  meta: {
    code: 'IDEM011',
    name: 'nondeterministic-bound-key',
    severity: 'error',
    description: 'A primary-key column of a CQL INSERT or UPDATE bound to the clock or randomness: every retry or replay writes a new row.',
    messages: {
      boundParameter: 'Key column `{{column}}` of {{table}} is bound to {{what}}: a retry or replay writes a new row instead of overwriting the old one.',
      viaVariable: 'Key column `{{column}}` of {{table}} is bound to `{{name}}`, which holds {{what}} (line {{line}}): a retry or replay writes a new row instead of overwriting the old one.',
      cqlFunction: 'Key column `{{column}}` of {{table}} is set to CQL {{what}}: each execution makes a new key, so a retry or replay writes a new row.',
    },
    fixes: {
      boundParameter: 'Bind the key to values from the event itself (its id, its event time truncated to the window), never to the time of processing or a fresh id.',
      viaVariable: 'Bind the key to values from the event itself (its id, its event time truncated to the window), never to the time of processing or a fresh id.',
      cqlFunction: 'Bind the key column to a value from the event (e.g. its event time) with a ? marker instead of a CQL function evaluated at write time.',
    },
  },
  check(_file, context) {
    for (const driverCall of context.driverCalls()) {
      for (const statement of driverCall.statements) {
        const write = statement.write;
        if (!write) continue;
        const keys = write.verb === 'update' ? write.whereColumns : (context.primaryKeys.get(write.table) ?? []);
        for (const value of write.values) {
          if (!keys.includes(value.column)) continue;
          const data = { column: value.column, table: write.table };
          if (value.marker === undefined) {
            const what = nondeterministicCqlFunction(value.text);
            if (what) context.report({ messageId: 'cqlFunction', node: statement.queryNode, data: { ...data, what } });
            continue;
          }
          const param = statement.params?.get(value.marker);
          if (!param) continue;
          const direct = findNondeterministic(param.getText());
          if (direct) {
            context.report({ messageId: 'boundParameter', node: param, offset: direct.offset, data: { ...data, what: direct.what } });
            continue;
          }
          const init = Node.isIdentifier(param) ? constInitializer(param) : undefined;
          const held = init ? findNondeterministic(init.getText()) : undefined;
          if (init && held) {
            context.report({ messageId: 'viaVariable', node: param, data: { ...data, what: held.what, name: param.getText(), line: init.getStartLineNumber() } });
            continue;
          }
          // Helpers (here or in other modules), let bindings, module state and the machine, through the call graph.
          const { origins, node } = graphOf(param);
          const followed = origins.originOf(node, [] as NotFollowed[]);
          if (!followed) continue;
          const near = followed.via[0]?.node ?? followed.at;
          const offset = near.getSourceFile() === node.getSourceFile() && near.getStart() >= node.getStart() && near.end <= node.end ? near.getStart() - node.getStart() : undefined;
          context.report({ messageId: 'boundParameter', node: param, ...(offset === undefined ? {} : { offset }), data: { ...data, what: describeNondet(followed) } });
        }
      }
    }
  },
});
