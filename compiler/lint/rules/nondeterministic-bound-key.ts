import { Node } from 'ts-morph';
import { graphOf } from '../../analysis/call-graph/morph.ts';
import ts from 'typescript';
import { describeNondet, type Nondet, type NotFollowed } from '../../analysis/call-graph/nondet.ts';
import { findNondeterministic } from '../../analysis/nondeterministic-expression.ts';
import { constInitializer } from '../driver/cql-text.ts';
import type { DriverCall, SentStatement } from '../driver/driver-calls.ts';
import { jsonInsertOf } from '../driver/json-insert.ts';
import { keyColumnOf, mapperWrites, type MapperWrite } from '../driver/mapper-writes.ts';
import { displayName, displayTable, nondeterministicCqlFunction, type BoundValue } from '../../analysis/cql.ts';
import { computedAnewOnRerun, recomputedOnRerun, rerunContextOf, type RerunContext } from '../driver/rerun-context.ts';
import callNotFollowed from '../../rules/call-not-followed.ts';
import { defineSourceRule, type SourceRuleContext } from '../source-rule.ts';

type Message = 'boundParameter' | 'viaVariable' | 'cqlFunction';

/** What the analysis could not follow in a key parameter: IDEM017 notes at their place, instead of a silent clean. */
function reportNotFollowed(
  notes: readonly NotFollowed[],
  role: string,
  param: Node,
  report: SourceRuleContext<Message>['report'],
): void {
  const start = param.getStart();
  for (const note of notes) {
    if (note.at.getSourceFile().fileName !== param.getSourceFile().getFilePath()) continue;
    const offset = note.at.getStart() - start;
    if (offset < 0 || offset > param.getWidth()) continue;
    report({
      messageId: 'boundParameter',
      as: { meta: callNotFollowed.meta, messageId: 'notFollowed' },
      node: param,
      offset,
      data: { what: note.what, why: note.why, role },
    });
  }
}

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
    description:
      'A primary-key column of a CQL INSERT or UPDATE bound to the clock or randomness where the code can run twice for the same input (a Kafka handler, a retry, a stream step): every rerun writes a new row.',
    messages: {
      boundParameter:
        'Key column `{{column}}` of {{table}} is bound to {{what}} in {{context}}: running again for the same input writes a new row instead of overwriting the old one.',
      viaVariable:
        'Key column `{{column}}` of {{table}} is bound to `{{name}}`, which holds {{what}} (line {{line}}), in {{context}}: running again for the same input writes a new row instead of overwriting the old one.',
      cqlFunction:
        'Key column `{{column}}` of {{table}} is set to CQL {{what}}, evaluated anew each time the statement runs, in {{context}}: a retry or replay writes a new row.',
    },
    fixes: {
      boundParameter:
        'Bind the key to values from the event itself (its id, its event time truncated to the window), never to the time of processing or a fresh id.',
      viaVariable:
        'Bind the key to values from the event itself (its id, its event time truncated to the window), never to the time of processing or a fresh id.',
      cqlFunction:
        'Bind the key column to a value from the event (e.g. its event time) with a ? marker instead of a CQL function evaluated at write time.',
    },
  },
  check(file, context) {
    for (const driverCall of context.driverCalls()) {
      // Only where the same input can be written twice: the driver's own retry resends the same bound values.
      let rerun: RerunContext | undefined | null = null;
      const rerunOf = () => (rerun === null ? (rerun = rerunContextOf(driverCall.call)) : rerun);
      for (const statement of driverCall.statements) {
        const write = statement.write;
        const json = write ? undefined : jsonInsertOf(driverCall, statement);
        if (json) checkMapperWrite(json, context);
        if (!write) continue;
        const keys = write.verb === 'update' ? write.whereColumns : context.primaryKey(write.table);
        for (const value of write.values) {
          if (!keys.includes(value.column)) continue;
          const data = { column: displayName(value.column), table: displayTable(write.table) };
          const key: KeyValue = { value, table: write.table, statement, driverCall, data, rerunOf, context };
          if (value.marker === undefined) checkCqlFunction(key);
          else checkBoundParameter(key, value.marker);
        }
      }
    }
    for (const written of mapperWrites(file)) checkMapperWrite(written, context);
  },
});

/**
 * A Mapper document (`events.insert({ eventId: types.Uuid.random(), … })`, round 9 U9D c15): read as the INSERT the
 * Mapper sends, each property bound to the key column it names.
 */
function checkMapperWrite(written: MapperWrite, context: SourceRuleContext<Message>): void {
  const keys = context.primaryKey(written.table);
  const bound = written.properties.flatMap((p) => {
    const column = keyColumnOf(p.name, keys);
    return column ? [{ column, value: p.value }] : [];
  });
  if (bound.length === 0) return;
  const values = bound.map((b, marker) => ({ column: b.column, marker, text: '?' }));
  const write = { verb: 'insert', table: written.table, whereColumns: [], values, counterDeltas: [] } as const;
  const params = new Map(bound.map((b, marker) => [marker, b.value] as const));
  const statement: SentStatement = { cql: '', write, queryNode: written.name, params };
  const driverCall: DriverCall = {
    call: written.call,
    name: written.name,
    method: 'execute',
    statements: [statement],
    isIdempotent: false,
  };
  let rerun: RerunContext | undefined | null = null;
  const rerunOf = () => (rerun === null ? (rerun = rerunContextOf(written.call)) : rerun);
  for (const value of values) {
    const data = { column: displayName(value.column), table: displayTable(written.table) };
    checkBoundParameter({ value, table: written.table, statement, driverCall, data, rerunOf, context }, value.marker);
  }
}

/** A key column's value in a statement a driver call sends, and what a finding about it needs. */
interface KeyValue {
  readonly value: BoundValue;
  readonly table: string;
  readonly statement: SentStatement;
  readonly driverCall: DriverCall;
  readonly data: { readonly column: string; readonly table: string };
  /** Where the call can run twice for the same input; read once a call, and only when a finding needs it. */
  readonly rerunOf: () => RerunContext | undefined;
  readonly context: SourceRuleContext<Message>;
}

/** A key set by a CQL function (`now()`, `uuid()`): evaluated again by the server on the driver's retries (isIdempotent) too. */
function checkCqlFunction({ value, statement, driverCall, data, rerunOf, context }: KeyValue): void {
  const what = nondeterministicCqlFunction(value.text);
  if (!what) return;
  const where =
    rerunOf()?.describe ??
    (driverCall.isIdempotent ? 'a statement marked isIdempotent: true (the driver retries it)' : undefined);
  if (where)
    context.report({ messageId: 'cqlFunction', node: statement.queryNode, data: { ...data, what, context: where } });
}

/** A key bound to a parameter: the clock or randomness written out there, held by a const, or reached through the call graph. */
function checkBoundParameter(key: KeyValue, marker: number | string): void {
  const param = key.statement.params?.get(marker);
  if (!param) return;
  const direct = findNondeterministic(param.getText());
  const init = direct || !Node.isIdentifier(param) ? undefined : constInitializer(param);
  const held = init ? findNondeterministic(init.getText()) : undefined;
  if (direct) return reportWrittenOut(key, param, direct);
  if (init && held) return reportHeld(key, param, init, held.what);
  reportFollowed(key, param);
}

function reportWrittenOut(key: KeyValue, param: Node, direct: { offset: number; what: string }): void {
  const rerun = key.rerunOf();
  if (!rerun) return;
  key.context.report({
    messageId: 'boundParameter',
    node: param,
    offset: direct.offset,
    data: { ...key.data, what: direct.what, context: rerun.describe },
  });
}

function reportHeld(key: KeyValue, param: Node, init: Node, what: string): void {
  const rerun = key.rerunOf();
  // An id made once before a retry wrapper is the same on every attempt: only a value made inside it changes.
  if (!rerun || !recomputedOnRerun(init, rerun)) return;
  key.context.report({
    messageId: 'viaVariable',
    node: param,
    data: { ...key.data, what, name: param.getText(), line: init.getStartLineNumber(), context: rerun.describe },
  });
}

/**
 * The value is held by a name declared outside a retry (an outer function's default parameter, a
 * const made before `pRetry(…)`): it is computed once, and every attempt resends it.
 */
function heldOutsideRetry(found: Nondet, rerun: RerunContext, checker: ts.TypeChecker): boolean {
  const hop = found.via[0];
  if (rerun.kind !== 'retry' || hop?.how !== 'held by' || !ts.isIdentifier(hop.node)) return false;
  const declaration = checker.getSymbolAtLocation(hop.node)?.valueDeclaration;
  return declaration !== undefined && !computedAnewOnRerun(declaration, rerun);
}

/** Helpers (here or in other modules), let bindings, module state and the machine, through the call graph. */
function reportFollowed(key: KeyValue, param: Node): void {
  const { origins, node } = graphOf(param);
  const notes: NotFollowed[] = [];
  const followed = origins.originOf(node, notes);
  // Only where IDEM011 could fire: elsewhere nothing hangs on what was not followed (a plain data-access function).
  if (!followed && key.rerunOf())
    reportNotFollowed(notes, `key column \`${key.value.column}\` of ${key.table}`, param, key.context.report);
  const rerun = followed ? key.rerunOf() : undefined;
  if (!followed || !rerun || heldOutsideRetry(followed, rerun, graphOf(param).checker)) return;
  const near = followed.via[0]?.node ?? followed.at;
  const offset =
    near.getSourceFile() === node.getSourceFile() && near.getStart() >= node.getStart() && near.end <= node.end
      ? near.getStart() - node.getStart()
      : undefined;
  key.context.report({
    messageId: 'boundParameter',
    node: param,
    ...(offset === undefined ? {} : { offset }),
    data: { ...key.data, what: describeNondet(followed), context: rerun.describe },
  });
}
