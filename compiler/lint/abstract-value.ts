import type { Node } from 'ts-morph';
import type { PipelineNode, SinkNode, SourceNode, StepNode, WindowNode } from '../ir/index.ts';

/**
 * What the lint knows about an expression without running it. Literals and
 * object shapes are known exactly; DSL calls become the same IR nodes the
 * DSL builds at run time; anything else is `unknown`, and rules then stay
 * silent about it rather than guess.
 */
export type AbstractValue =
  | { readonly type: 'unknown' }
  | { readonly type: 'literal'; readonly value: string | number | boolean | null | undefined }
  | { readonly type: 'object'; readonly props: ReadonlyMap<string, AbstractValue>; readonly complete: boolean }
  | { readonly type: 'array'; readonly items: readonly AbstractValue[] }
  /** A function written in the source: an arrow, a function expression or a declaration. */
  | { readonly type: 'fn'; readonly node: Node }
  /** An export of idemflow's DSL (`source`, `cassandra`, …), or the whole module for `import * as x`. */
  | { readonly type: 'dsl'; readonly name: string }
  | { readonly type: 'stream'; readonly source: SourceNode; readonly steps: readonly StepNode[] }
  | { readonly type: 'pipeline'; readonly node: PipelineNode }
  | { readonly type: 'sink-spec'; readonly node: SinkNode }
  | { readonly type: 'window-spec'; readonly node: WindowNode };

export const unknownValue: AbstractValue = Object.freeze({ type: 'unknown' });

/** The plain JavaScript value of a literal, object or array made only of literals; undefined otherwise. */
export function toPlain(value: AbstractValue): unknown {
  switch (value.type) {
    case 'literal':
      return value.value;
    case 'array': {
      const items = value.items.map(toPlain);
      return items.some((i) => i === undefined) ? undefined : items;
    }
    case 'object': {
      if (!value.complete) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of value.props) {
        const plain = toPlain(v);
        if (plain === undefined) return undefined;
        out[k] = plain;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** A property of an object value; unknown when the object or the property is not known. */
export function propertyOf(value: AbstractValue | undefined, name: string): AbstractValue {
  if (value?.type !== 'object') return unknownValue;
  return value.props.get(name) ?? (value.complete ? { type: 'literal', value: undefined } : unknownValue);
}

export function stringOf(value: AbstractValue): string | undefined {
  return value.type === 'literal' && typeof value.value === 'string' ? value.value : undefined;
}
