export * from './ir/index.ts';
export { check, type Checkable, type CheckOptions } from './check.ts';
export { appliesOn, compile, runRules, runnerNames, type CompileResult, type RunnerName } from './compile.ts';
export {
  runnerCatalogue,
  type RunnerCapabilities,
  type RunnerCapability,
  type RunnerDescription,
} from './runner-catalogue.ts';
export {
  defineRule,
  interpolate,
  type Diagnostic,
  type Rule,
  type RuleMeta,
  type RuleContext,
  type Severity,
} from './rule.ts';
export { rules } from './rules/index.ts';
export { classify, type Classification } from './strategy/classify.ts';
export { strategies, type Strategy, type StrategyId } from './strategy/cheat-sheet.ts';
export { describeLocation } from './analysis/describe-location.ts';
