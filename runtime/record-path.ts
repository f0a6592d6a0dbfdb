import { PipelineNode, type SinkNode, type StepNode, type WindowNode } from '../compiler/ir/index.ts';
import type { RecordOutputs } from './record-output.ts';
import { failed, message, stageOf, type Stage, type StageContext } from './record-stages.ts';
import type { ArchiveIdChecks } from './target-connector.ts';

export { rawText, type RecordOutputs } from './record-output.ts';

/** The dead-letter sink in force at a step: the nearest `.parse()` before it (if it names one), or the run's default. */
function deadLetterAt(steps: readonly StepNode[], index: number, fallback: SinkNode): SinkNode {
  for (let i = index; i >= 0; i--) {
    const s = steps[i];
    if (s?.kind === 'Parse') return s.deadLetter.byDefault ? fallback : s.deadLetter;
  }
  return fallback;
}

/**
 * Compiles a pipeline's steps into one function a record. Each step is a
 * closure calling the next, built back to front (record-stages.ts has one
 * builder a step kind); nothing is interpreted per record. A step that
 * rejects or throws sends the record to a dead-letter sink with the reason
 * and the raw payload; the pipeline goes on. `idChecks`: the event ids each system of record's table
 * cannot keep apart (`Targets.archiveIdChecks`, resolved before the first batch; repair passes none).
 */
export function compileRecordPath(
  pipeline: PipelineNode,
  out: RecordOutputs,
  fallbackDeadLetter: SinkNode,
  idChecks: ArchiveIdChecks,
): (raw: unknown, index: number) => void | Promise<void> {
  const steps = pipeline.steps;
  const aggregated = PipelineNode.aggregate(pipeline) !== undefined;
  let next: Stage = aggregated ? () => {} : (value) => out.emit(value);
  for (let i = steps.length - 1; i >= 0; i--) {
    const deadLetter = deadLetterAt(steps, i - 1, fallbackDeadLetter);
    const reject = (reason: string, index: number) => out.deadLetter(deadLetter, reason, index);
    const guarded = <R>(fn: (v: unknown) => R, value: unknown, what: string, index: number): R | typeof failed => {
      try {
        return fn(value);
      } catch (error) {
        reject(`${what} threw: ${message(error)}`, index);
        return failed;
      }
    };
    const context: StageContext = { pipeline, out, after: next, fallbackDeadLetter, reject, guarded, idChecks };
    next = stageFor(steps[i]!, context);
  }
  const first = next;
  return (raw, index) => first(raw, index, undefined);
}

/** The step's stage, from the builder of its kind. */
function stageFor(step: StepNode, context: StageContext): Stage {
  const build = stageOf[step.kind] as (step: StepNode, context: StageContext) => Stage;
  return build(step, context);
}

export function windowOf(pipeline: PipelineNode): WindowNode | undefined {
  return pipeline.steps.find((s): s is WindowNode => s.kind === 'Window');
}
