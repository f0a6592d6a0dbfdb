import type { SinkNode } from './sink-node.ts';
import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

/** A tap that writes every raw event to a system of record before aggregation (the seed's `saveToCassandra`). */
export interface ArchiveNode {
  readonly kind: 'Archive';
  readonly sink: SinkNode;
  readonly location?: SourceLocation;
}

export const ArchiveNode = Object.freeze({
  is: kindGuard<ArchiveNode>('Archive'),
  create(sink: SinkNode, location?: SourceLocation): ArchiveNode {
    return Object.freeze({ kind: 'Archive', sink, location });
  },
});
