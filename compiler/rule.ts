import type { ProgramSource } from './analysis/call-graph/program-source.ts';
import type { PipelineNode, SourceLocation } from './ir/index.ts';
import type { RunnerCapability } from './runner-catalogue.ts';

/** SARIF's levels: an error fails `check`, a warning is shown, a note informs. */
export type Severity = 'error' | 'warning' | 'note';

export interface RuleMeta<M extends string> {
  /** Stable code, e.g. IDEM001: used in suppressions, docs and SARIF. Never reused. */
  readonly code: `IDEM${number}`;
  /** kebab-case name, the same as the rule's file name. */
  readonly name: string;
  readonly severity: Severity;
  /** One line: what the rule finds. */
  readonly description: string;
  /** Message templates by id; `{{name}}` is replaced with report data. */
  readonly messages: Readonly<Record<M, string>>;
  /** How to fix it, by message id. */
  readonly fixes: Readonly<Record<M, string>>;
  /**
   * Only when checking for a runner with this capability (`check --runner …`), e.g. Beam's
   * `functionsOnSeparateWorkers`; on every runner when absent. A capability, not runner names,
   * so a new runner gets the rule by saying what it does.
   */
  readonly onlyWhen?: RunnerCapability;
}

export interface Report<M extends string> {
  readonly messageId: M;
  readonly node: { readonly location?: SourceLocation };
  readonly data?: Readonly<Record<string, string | number>>;
}

export interface RuleContext<M extends string> {
  /** A function, not a method: rules pass it on to helpers. */
  readonly report: (report: Report<M>) => void;
  /** Where the pipeline's files are read back from to follow helpers (the lint's own program; files on disk otherwise). */
  readonly programs?: ProgramSource;
}

export interface Rule<M extends string = string> {
  readonly meta: RuleMeta<M>;
  check(pipeline: PipelineNode, context: RuleContext<M>): void;
}

/** Declares a rule (typescript-eslint's createRule): ties message ids to their templates and fixes. */
export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return Object.freeze(rule);
}

export interface Diagnostic {
  readonly code: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly messageId: string;
  readonly message: string;
  readonly fix: string;
  readonly location?: SourceLocation;
}

/** A rule's diagnostic for one of its messages: the template filled in, with the fix that goes with it. */
export function diagnosticOf(
  meta: RuleMeta<string>,
  messageId: string,
  location: SourceLocation | undefined,
  data?: Readonly<Record<string, string | number>>,
): Diagnostic {
  return {
    code: meta.code,
    rule: meta.name,
    severity: meta.severity,
    messageId,
    message: interpolate(meta.messages[messageId] ?? messageId, data),
    fix: interpolate(meta.fixes[messageId] ?? '', data),
    location,
  };
}

export function interpolate(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in data ? String(data[name]) : whole));
}
