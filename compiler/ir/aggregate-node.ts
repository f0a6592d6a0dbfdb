import type { FnNode } from './fn-node.ts';
import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

export type AggregateOp = 'count' | 'sum' | 'min' | 'max' | 'avg' | 'custom';

/** A user-defined combiner: `merge` lets runners combine partial aggregates (Beam's CombineFn). */
export interface CustomAggregate {
  readonly init: FnNode;
  readonly add: FnNode;
  readonly merge: FnNode;
}

export interface AggregateNode {
  readonly kind: 'Aggregate';
  readonly op: AggregateOp;
  /** The numeric field for sum/min/max/avg. */
  readonly field?: string;
  readonly custom?: CustomAggregate;
  readonly location?: SourceLocation;
}

export const AggregateNode = Object.freeze({
  is: kindGuard<AggregateNode>('Aggregate'),
  create(props: Omit<AggregateNode, 'kind'>): AggregateNode {
    return Object.freeze({ kind: 'Aggregate', ...props });
  },
});
