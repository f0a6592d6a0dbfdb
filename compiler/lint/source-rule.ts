import type { Node, SourceFile } from 'ts-morph';
import type { RuleMeta, Severity } from '../rule.ts';
import type { DriverCall } from './driver/driver-calls.ts';
import type { StaticEvaluator } from './static-eval.ts';

export interface SourceReport<M extends string> {
  readonly messageId: M;
  /** The exact expression the finding is about… */
  readonly node: Node;
  /** …or this many characters into its text (a call inside an argument). */
  readonly offset?: number;
  readonly data?: Readonly<Record<string, string | number>>;
  /** A milder severity than the rule's for this finding (a guarded case that still deserves a note). */
  readonly severity?: Severity;
  /** Report under another rule's code: a driver rule's IDEM017 note about what its analysis could not follow. */
  readonly as?: { readonly meta: RuleMeta<string>; readonly messageId: string };
}

export interface SourceRuleContext<M extends string> {
  readonly evaluator: StaticEvaluator;
  /** A table's primary-key columns, from the CREATE TABLE statements found in the linted sources (this file's first). */
  primaryKey(table: string): readonly string[];
  /** A table's columns typed `set<…>` / `map<…>` in the CREATE TABLE statements found: `c = c + ?` there is no counter. */
  setAndMapColumns(table: string): readonly string[];
  /** The file's cassandra-driver calls with readable CQL (computed once a file, shared by rules). */
  driverCalls(): readonly DriverCall[];
  /** A function, not a method: rules pass it on to helpers. */
  readonly report: (report: SourceReport<M>) => void;
}

/**
 * A lint rule over source code rather than a pipeline's IR: for the driver
 * code teams already have (cassandra-driver, kafkajs). Same meta as IR rules,
 * so codes, docs and SARIF treat both alike.
 */
export interface SourceRule<M extends string = string> {
  readonly meta: RuleMeta<M>;
  check(file: SourceFile, context: SourceRuleContext<M>): void;
}

export function defineSourceRule<M extends string>(rule: SourceRule<M>): SourceRule<M> {
  return Object.freeze(rule);
}
