import type { AggregateNode } from './aggregate-node.ts';
import type { ArchiveNode } from './archive-node.ts';
import type { GroupByNode } from './group-by-node.ts';
import type { ParseNode } from './parse-node.ts';
import type { SinkNode } from './sink-node.ts';
import type { SourceLocation } from './source-location.ts';
import type { SourceNode } from './source-node.ts';
import type { EventTimeNode, FilterNode, FlatMapNode, MapNode } from './transform-node.ts';
import type { WindowNode } from './window-node.ts';
import { kindGuard } from './node-guard.ts';

/** Everything between the source and the sink, in order. */
export type StepNode =
  | ParseNode
  | MapNode
  | FilterNode
  | FlatMapNode
  | EventTimeNode
  | ArchiveNode
  | WindowNode
  | GroupByNode
  | AggregateNode;

export interface PipelineNode {
  readonly kind: 'Pipeline';
  readonly name: string;
  readonly source: SourceNode;
  readonly steps: readonly StepNode[];
  readonly sink: SinkNode;
  readonly location?: SourceLocation;
}

export const PipelineNode = Object.freeze({
  is: kindGuard<PipelineNode>('Pipeline'),
  create(props: Omit<PipelineNode, 'kind'>): PipelineNode {
    return Object.freeze({ kind: 'Pipeline', ...props, steps: Object.freeze([...props.steps]) });
  },
  cloneWithName(node: PipelineNode, name: string): PipelineNode {
    return Object.freeze({ ...node, name });
  },
  /** Every sink the pipeline writes to: the archives (systems of record) and the final sink. */
  sinks(node: PipelineNode): readonly SinkNode[] {
    const archives = node.steps.flatMap((s) => (s.kind === 'Archive' ? [s.sink] : []));
    const deadLetters = node.steps.flatMap((s) => (s.kind === 'Parse' ? [s.deadLetter] : []));
    return [...archives, ...deadLetters, node.sink];
  },
  /** The aggregation step, or undefined when the pipeline sinks records as they are. */
  aggregate(node: PipelineNode): AggregateNode | undefined {
    return node.steps.find((s): s is AggregateNode => s.kind === 'Aggregate');
  },
  /** The system-of-record sinks: archive taps, or a final sink in system-of-record mode. */
  systemsOfRecord(node: PipelineNode): readonly SinkNode[] {
    return PipelineNode.sinks(node).filter((s) => s.mode === 'system-of-record');
  },
});
