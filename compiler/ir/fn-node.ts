import type { SourceLocation } from './source-location.ts';
import { kindGuard } from './node-guard.ts';
/**
 * A user function inside the IR. `source` is its text, kept so that rules can
 * read it and so that the IR stays JSON-serialisable; `fn` is the live
 * reference a runner calls. JSON.stringify drops function-valued properties,
 * so the serialised IR carries only the text.
 */
export interface FnNode {
  readonly kind: 'Fn';
  readonly source: string;
  readonly fn: (...args: never[]) => unknown;
  /**
   * Where the function's text starts, when known (the static lint reads it
   * from the file): rules then point at the exact expression inside it.
   */
  readonly location?: SourceLocation;
}

/** The stand-in for a function read from source text by the lint: it was never loaded, so it cannot run. */
function notLoaded(): never {
  throw new Error('this function was read statically by `idemflow lint` and cannot be called');
}

export const FnNode = Object.freeze({
  is: kindGuard<FnNode>('Fn'),
  create(fn: (...args: never[]) => unknown): FnNode {
    return Object.freeze({ kind: 'Fn', source: Function.prototype.toString.call(fn), fn });
  },
  /** A function known only by its text and position: the lint's IR, built without executing user code. */
  fromSource(source: string, location: SourceLocation): FnNode {
    return Object.freeze({ kind: 'Fn', source, fn: notLoaded, location });
  },
});
