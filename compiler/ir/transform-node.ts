import type { FnNode } from './fn-node.ts';
import type { SourceLocation } from './source-location.ts';

/** A per-record step with one user function: `.map`, `.filter`, `.flatMap`, `.withEventTime`. */
export type TransformKind = 'Map' | 'Filter' | 'FlatMap' | 'EventTime';

export interface TransformNode<K extends TransformKind = TransformKind> {
  readonly kind: K;
  readonly fn: FnNode;
  readonly location?: SourceLocation;
}

export type MapNode = TransformNode<'Map'>;
export type FilterNode = TransformNode<'Filter'>;
export type FlatMapNode = TransformNode<'FlatMap'>;
/** Event time: the only clock windows and keys may use (never the processing time). */
export type EventTimeNode = TransformNode<'EventTime'>;

export const TransformNode = Object.freeze({
  create<K extends TransformKind>(kind: K, fn: FnNode, location?: SourceLocation): TransformNode<K> {
    return Object.freeze({ kind, fn, location });
  },
});
