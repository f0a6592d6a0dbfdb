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
  /**
   * A function written in the source: an arrow, a function expression or a declaration; with the parameters of
   * the functions around it that a call bound when it was made (`keyedBy(fn)` returning `(s) => s.groupBy(fn)`).
   */
  | { readonly type: 'fn'; readonly node: Node; readonly captured?: ReadonlyMap<object, AbstractValue> }
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

/**
 * Two values known to be the same: equal literals, objects and arrays of the same values, the same function or
 * DSL export. Streams and specs are the same only when they are one value (built once, read twice).
 */
export function sameValue(a: AbstractValue, b: AbstractValue): boolean {
  if (a === b) return true;
  if (a.type === 'unknown' || a.type !== b.type) return false;
  switch (a.type) {
    case 'literal':
      return a.value === (b as typeof a).value;
    case 'fn':
      // The same arrow made by two calls of its factory is two functions when their bindings may differ.
      return a.node === (b as typeof a).node && a.captured === (b as typeof a).captured;
    case 'dsl':
      return a.name === (b as typeof a).name;
    case 'array': {
      const items = (b as typeof a).items;
      return a.items.length === items.length && a.items.every((item, i) => sameValue(item, items[i]!));
    }
    case 'object': {
      const other = b as typeof a;
      if (a.complete !== other.complete || a.props.size !== other.props.size) return false;
      return [...a.props].every(([k, v]) => other.props.has(k) && sameValue(v, other.props.get(k)!));
    }
    default:
      return false;
  }
}

/** What a literal says in a condition: truthy or falsy; undefined when the value is not known. */
export function truthOf(value: AbstractValue): boolean | undefined {
  if (value.type === 'literal') return Boolean(value.value);
  // An object, array or function is always truthy, whatever it holds.
  if (value.type === 'object' || value.type === 'array' || value.type === 'fn') return true;
  return undefined;
}
