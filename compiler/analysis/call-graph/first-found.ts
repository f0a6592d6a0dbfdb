import ts from 'typescript';
import type { FunctionNode } from './resolve.ts';

/**
 * Per-function summaries of the first thing a body holds (a counter update, a write a repetition applies
 * again), each computed once. A function met again while its own summary is computed (recursion) finds
 * nothing there: what it holds is found where the recursion started.
 */
export class FirstFound<T> {
  readonly #summaries = new Map<FunctionNode, T | undefined>();
  readonly #inProgress = new Set<FunctionNode>();

  /** The first node of `fn`'s body, in source order, for which `find` gives something. */
  in(fn: FunctionNode, find: (node: ts.Node) => T | undefined): T | undefined {
    if (this.#summaries.has(fn)) return this.#summaries.get(fn);
    if (this.#inProgress.has(fn) || !fn.body) return undefined;
    this.#inProgress.add(fn);
    let found: T | undefined;
    const visit = (node: ts.Node): void => {
      if (found) return;
      found = find(node);
      if (!found) ts.forEachChild(node, visit);
    };
    visit(fn.body);
    this.#inProgress.delete(fn);
    this.#summaries.set(fn, found);
    return found;
  }
}
