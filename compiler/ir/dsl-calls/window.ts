import type { SourceLocation } from '../source-location.ts';
import { WindowNode } from '../window-node.ts';

/** `tumbling(size, options)` or `sliding(size, slide, options)`, in milliseconds. */
export interface WindowCall {
  readonly type: 'tumbling' | 'sliding';
  readonly sizeMs: number;
  /** Sliding windows only: a tumbling window slides by its size. */
  readonly slideMs?: number;
  readonly allowedLatenessMs?: number;
  readonly emit?: 'updates' | 'final';
}

/** The window node a `tumbling(…)` or `sliding(…)` call means. */
export function windowNodeOf(spec: WindowCall, location: SourceLocation | undefined): WindowNode {
  return WindowNode.create({
    type: spec.type,
    sizeMs: spec.sizeMs,
    slideMs: spec.type === 'tumbling' ? spec.sizeMs : (spec.slideMs ?? Number.NaN),
    allowedLatenessMs: spec.allowedLatenessMs ?? 0,
    // Updates are the default, so the node carries only the exception.
    ...(spec.emit === 'final' ? { emit: 'final' as const } : {}),
    location,
  });
}
