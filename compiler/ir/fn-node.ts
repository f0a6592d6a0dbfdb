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
}

export const FnNode = Object.freeze({
  is: kindGuard<FnNode>('Fn'),
  create(fn: (...args: never[]) => unknown): FnNode {
    return Object.freeze({ kind: 'Fn', source: Function.prototype.toString.call(fn), fn });
  },
});
