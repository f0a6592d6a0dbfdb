import { rootedAt, type ProgramSource } from './analysis/call-graph/program-source.ts';
import type { PipelineNode } from './ir/index.ts';
import { diagnosticOf, type Diagnostic, type Rule, type Severity } from './rule.ts';
import { rules as allRules } from './rules/index.ts';
import { defaultRunner, runnerCan, type RunnerName } from './runner-catalogue.ts';
import { classify, type Classification } from './strategy/classify.ts';

export interface CompileResult {
  readonly pipeline: PipelineNode;
  readonly classification: Classification;
  readonly diagnostics: readonly Diagnostic[];
}

const severityOrder: Readonly<Record<Severity, number>> = { error: 0, warning: 1, note: 2 };

export { runnerNames, type RunnerName } from './runner-catalogue.ts';

/** Whether a rule applies when checking for the runner: always, unless it asks for a capability the runner lacks. */
export function appliesOn(rule: Rule, runner: RunnerName): boolean {
  return rule.meta.onlyWhen === undefined || runnerCan(runner, rule.meta.onlyWhen);
}

/** Runs rules over one pipeline. Pure: the same IR always gives the same diagnostics. */
export function runRules(
  pipeline: PipelineNode,
  rules: readonly Rule[] = allRules,
  runner: RunnerName = defaultRunner,
  programs?: ProgramSource,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // A pipeline that was run is read back from its file's own program (program-source.ts, rootedAt).
  const file = pipeline.location?.file;
  programs ??= file === undefined ? undefined : rootedAt(file);
  for (const rule of rules) {
    if (!appliesOn(rule, runner)) continue;
    const { meta } = rule;
    rule.check(pipeline, {
      ...(programs ? { programs } : {}),
      report({ messageId, node, data }) {
        diagnostics.push(diagnosticOf(meta, messageId, node.location, data));
      },
    });
  }
  return diagnostics.sort(
    (a, b) => severityOrder[a.severity] - severityOrder[b.severity] || a.code.localeCompare(b.code),
  );
}

/** The compiler: every rule over the pipeline, plus its place in the seed's cheat sheet. */
export function compile(
  pipeline: PipelineNode,
  rules: readonly Rule[] = allRules,
  runner: RunnerName = defaultRunner,
  programs?: ProgramSource,
): CompileResult {
  return { pipeline, classification: classify(pipeline), diagnostics: runRules(pipeline, rules, runner, programs) };
}
