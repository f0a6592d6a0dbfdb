import type { FnNode } from './fn-node.ts';
import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

export type KeySelector =
  { readonly type: 'field'; readonly field: string } | { readonly type: 'fn'; readonly fn: FnNode };

export interface GroupByNode {
  readonly kind: 'GroupBy';
  readonly by: KeySelector;
  readonly location?: SourceLocation;
}

export const GroupByNode = Object.freeze({
  is: kindGuard<GroupByNode>('GroupBy'),
  create(by: KeySelector, location?: SourceLocation): GroupByNode {
    return Object.freeze({ kind: 'GroupBy', by: Object.freeze({ ...by }), location });
  },
});
