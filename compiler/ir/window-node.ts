import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';

/** Event-time windows. Tumbling windows are sliding windows whose slide equals their size. */
export interface WindowNode {
  readonly kind: 'Window';
  readonly type: 'tumbling' | 'sliding';
  readonly sizeMs: number;
  readonly slideMs: number;
  /** How long after the watermark passes a window's end late records still update it. */
  readonly allowedLatenessMs: number;
  /** `final`: a window's row is written once, when it closes; absent: after every batch that changed it. */
  readonly emit?: 'final';
  readonly location?: SourceLocation;
}

export const WindowNode = Object.freeze({
  is: kindGuard<WindowNode>('Window'),
  create(props: Omit<WindowNode, 'kind'>): WindowNode {
    return Object.freeze({ kind: 'Window', ...props });
  },
});
