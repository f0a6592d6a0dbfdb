import type { ColumnNode } from './column-node.ts';
import type { FnNode } from './fn-node.ts';
import type { PipelineNode, StepNode } from './pipeline-node.ts';
import type { SinkNode } from './sink-node.ts';
import type { SourceNode } from './source-node.ts';

/** The closed union of IR nodes. Adding a kind breaks every visitor table until it handles it. */
export type IrNode = PipelineNode | SourceNode | StepNode | SinkNode | ColumnNode | FnNode;

export type NodeKind = IrNode['kind'];
export type NodeOfKind<K extends NodeKind> = Extract<IrNode, { kind: K }>;

/** A visitor is a table with one handler a kind (Kysely's operation-node-visitor). */
export type NodeVisitor<R> = { readonly [K in NodeKind]: (node: NodeOfKind<K>) => R };

export function visit<R>(visitor: NodeVisitor<R>, node: IrNode): R {
  const handler = visitor[node.kind] as (n: IrNode) => R;
  return handler(node);
}
