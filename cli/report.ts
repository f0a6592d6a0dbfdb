import { resolve } from 'node:path';
import { rootedAt } from '../compiler/analysis/call-graph/program-source.ts';
import { compile, rules, type Classification, type Diagnostic, type RunnerName } from '../compiler/index.ts';
import { defaultRunner } from '../compiler/runner-catalogue.ts';
import type { MeasuredRow } from '../compiler/strategy/measurements.ts';
import type { StrategyId } from '../compiler/strategy/cheat-sheet.ts';
import type { LoadedPipeline } from './load-pipelines.ts';

/** One pipeline's compiler result, as every formatter receives it. */
export interface PipelineReport {
  readonly name: string;
  readonly file: string;
  readonly classification: Classification;
  readonly diagnostics: readonly Diagnostic[];
}

export function reportOf(loaded: LoadedPipeline, runner: RunnerName = defaultRunner): PipelineReport {
  // Read from the program of the file that was loaded: it holds the pipeline's own file and what the loaded file
  // adds (a subclass made there whose override a base's pipeline calls).
  const programs = rootedAt(resolve(loaded.file));
  const { classification, diagnostics } = compile(loaded.pipeline.ir, rules, runner, programs);
  return { name: loaded.pipeline.name, file: loaded.file, classification, diagnostics };
}

export function countBySeverity(reports: readonly PipelineReport[]): { error: number; warning: number; note: number } {
  const counts = { error: 0, warning: 0, note: 0 };
  for (const r of reports) for (const d of r.diagnostics) counts[d.severity]++;
  return counts;
}

export interface FormatOptions {
  readonly explain: boolean;
  /** With --explain: the cheat-sheet row as measured by the last committed strategies benchmark, if any. */
  /** Files that could not be loaded (they threw, or export no pipeline), reported beside the rest. */
  readonly unloaded?: readonly { readonly file: string; readonly message: string }[];
  readonly measured?: (
    strategy: StrategyId,
  ) => { readonly row: MeasuredRow; readonly generatedAt: string; readonly seeds: number } | undefined;
}

/** A formatter turns reports into the text printed (ESLint's formatters). */
export type Formatter = (reports: readonly PipelineReport[], options: FormatOptions) => string;
