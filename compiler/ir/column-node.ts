import type { FnNode } from './fn-node.ts';
import { kindGuard } from './node-guard.ts';

/** One table column and where its value comes from: a field of the written row, or a function of it. */
export interface ColumnNode {
  readonly kind: 'Column';
  readonly column: string;
  readonly from: { readonly type: 'field'; readonly field: string } | { readonly type: 'fn'; readonly fn: FnNode };
}

export const ColumnNode = Object.freeze({
  is: kindGuard<ColumnNode>('Column'),
  create(column: string, from: ColumnNode['from']): ColumnNode {
    return Object.freeze({ kind: 'Column', column, from: Object.freeze({ ...from }) });
  },
});
