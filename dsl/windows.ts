import { windowNodeOf, type WindowNode } from '../compiler/ir/index.ts';
import { BuildError } from './build-error.ts';
import { captureCallSite } from './call-site.ts';
import { toMillis, type Duration } from './duration.ts';

export interface WindowOptions {
  /** How long after the watermark passes a window's end late records still update it (default 0). */
  readonly allowedLateness?: Duration;
  /**
   * When a window's row is written: `'updates'` (default) after every batch
   * that changed it, fresh but rewritten many times; `'final'` once, when
   * the watermark passes its end plus the allowed lateness (Spark's append
   * mode, Beam's default trigger): fewer writes, rows a window late.
   */
  readonly emit?: 'updates' | 'final';
}

function emitOf(call: string, options: WindowOptions, location: WindowNode['location']): 'updates' | 'final' {
  const emit = options.emit ?? 'updates';
  if (emit !== 'updates' && emit !== 'final')
    throw new BuildError(call, `emit must be 'updates' or 'final', got ${JSON.stringify(emit)}`, location);
  return emit;
}

/** A window spec, turned into a node when `.window()` is called. */
export interface WindowSpec {
  readonly node: WindowNode;
}

/** Fixed, non-overlapping event-time windows: `tumbling({ minutes: 1 })`. */
export function tumbling(size: Duration, options: WindowOptions = {}): WindowSpec {
  const location = captureCallSite();
  const sizeMs = toMillis('tumbling', 'size', size, location);
  const allowedLatenessMs = toMillis('tumbling', 'allowedLateness', options.allowedLateness ?? 0, location, true);
  const emit = emitOf('tumbling', options, location);
  return { node: windowNodeOf({ type: 'tumbling', sizeMs, allowedLatenessMs, emit }, location) };
}

/** Overlapping event-time windows of `size`, one starting every `slide`: each event counts in size/slide windows. */
export function sliding(size: Duration, slide: Duration, options: WindowOptions = {}): WindowSpec {
  const location = captureCallSite();
  const sizeMs = toMillis('sliding', 'size', size, location);
  const slideMs = toMillis('sliding', 'slide', slide, location);
  if (slideMs > sizeMs)
    throw new BuildError('sliding', `slide (${slideMs} ms) must not exceed size (${sizeMs} ms)`, location);
  const allowedLatenessMs = toMillis('sliding', 'allowedLateness', options.allowedLateness ?? 0, location, true);
  const emit = emitOf('sliding', options, location);
  return { node: windowNodeOf({ type: 'sliding', sizeMs, slideMs, allowedLatenessMs, emit }, location) };
}
