import type { SinkNode } from './sink-node.ts';
import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

/** Typed decoding; records that fail go to `deadLetter` with the reason and the raw payload. */
export interface ParseNode {
  readonly kind: 'Parse';
  /** The schema's vendor (e.g. "zod"), from the Standard Schema interface. */
  readonly vendor: string;
  /** The live Standard Schema object; a function so the serialised IR leaves it out. */
  readonly schema: () => unknown;
  readonly deadLetter: SinkNode;
  readonly location?: SourceLocation;
}

export const ParseNode = Object.freeze({
  is: kindGuard<ParseNode>('Parse'),
  create(props: Omit<ParseNode, 'kind'>): ParseNode {
    return Object.freeze({ kind: 'Parse', ...props });
  },
});
