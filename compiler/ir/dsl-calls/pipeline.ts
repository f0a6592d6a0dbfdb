import { PipelineNode, type StepNode } from '../pipeline-node.ts';
import type { SinkNode } from '../sink-node.ts';
import type { SourceLocation } from '../source-location.ts';
import type { SourceNode } from '../source-node.ts';

/** A pipeline's default name: its file's, without folders or extension (`pipelines/counts.ts` → `counts`). */
export function pipelineNameOf(location: SourceLocation | undefined): string {
  return location ? location.file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]sx?$/, '') : 'pipeline';
}

/** The pipeline node `.sink(spec)` finishes: source, steps and sink, named after its file. */
export function pipelineNodeOf(
  parts: { readonly source: SourceNode; readonly steps: readonly StepNode[]; readonly sink: SinkNode },
  location: SourceLocation | undefined,
): PipelineNode {
  return PipelineNode.create({ name: pipelineNameOf(location), ...parts, location });
}
