import { compile, type CompileResult, type RunnerName } from './compile.ts';
import type { PipelineNode } from './ir/index.ts';

/** A pipeline as the DSL builds it (its `ir`), or the IR itself. */
export type Checkable = PipelineNode | { readonly ir: PipelineNode };

export interface CheckOptions {
  /** The runner it is checked for (default: the local runner): some rules apply only on runners with a capability (Beam's separate workers). */
  readonly runner?: RunnerName;
}

/** `idemflow check` inside a program: one pipeline's findings and its row of the cheat sheet. */
export function check(pipeline: Checkable, options: CheckOptions = {}): CompileResult {
  const ir = 'ir' in pipeline ? pipeline.ir : pipeline;
  return compile(ir, undefined, options.runner);
}
