import type { PipelineNode } from '../../compiler/index.ts';
import { nodeLabel } from './node-label.ts';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly role: 'source' | 'step' | 'sink' | 'store';
}

export interface Graph {
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly label?: string }[];
}

/** The pipeline as boxes and arrows: the main chain, with archives and dead letters as side branches. */
export function pipelineGraph(pipeline: PipelineNode): Graph {
  const nodes: GraphNode[] = [{ id: 'n0', label: nodeLabel(pipeline.source), role: 'source' }];
  const edges: { from: string; to: string; label?: string }[] = [];
  let previous = 'n0';
  pipeline.steps.forEach((step, i) => {
    const id = `n${i + 1}`;
    nodes.push({ id, label: nodeLabel(step), role: 'step' });
    edges.push({ from: previous, to: id });
    previous = id;
    const side =
      step.kind === 'Archive'
        ? { sink: step.sink, label: 'raw events' }
        : step.kind === 'Parse'
          ? { sink: step.deadLetter, label: 'invalid' }
          : undefined;
    if (side) {
      nodes.push({ id: `${id}s`, label: nodeLabel(side.sink), role: 'store' });
      edges.push({ from: id, to: `${id}s`, label: side.label });
    }
  });
  nodes.push({ id: 'sink', label: nodeLabel(pipeline.sink), role: 'sink' });
  edges.push({ from: previous, to: 'sink' });
  return { title: pipeline.name, nodes, edges };
}
