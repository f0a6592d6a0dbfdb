import type { AggregateNode } from '../compiler/ir/index.ts';

/** A combiner over events: what Beam calls a CombineFn. `result` turns the accumulator into the row's value. */
export interface Aggregator {
  init(): unknown;
  add(acc: unknown, event: Record<string, unknown>): unknown;
  merge(a: unknown, b: unknown): unknown;
  result(acc: unknown): unknown;
}

const num = (event: Record<string, unknown>, field: string) => Number(event[field]);

export function aggregatorFor(node: AggregateNode): Aggregator {
  const field = node.field ?? '';
  switch (node.op) {
    case 'count':
      return {
        init: () => 0,
        add: (a) => (a as number) + 1,
        merge: (a, b) => (a as number) + (b as number),
        result: (a) => a,
      };
    case 'sum':
      return {
        init: () => 0,
        add: (a, e) => (a as number) + num(e, field),
        merge: (a, b) => (a as number) + (b as number),
        result: (a) => a,
      };
    case 'min':
      return {
        init: () => Infinity,
        add: (a, e) => Math.min(a as number, num(e, field)),
        merge: (a, b) => Math.min(a as number, b as number),
        result: (a) => a,
      };
    case 'max':
      return {
        init: () => -Infinity,
        add: (a, e) => Math.max(a as number, num(e, field)),
        merge: (a, b) => Math.max(a as number, b as number),
        result: (a) => a,
      };
    case 'avg':
      return {
        init: () => [0, 0],
        add: (a, e) => [(a as number[])[0]! + num(e, field), (a as number[])[1]! + 1],
        merge: (a, b) => [(a as number[])[0]! + (b as number[])[0]!, (a as number[])[1]! + (b as number[])[1]!],
        result: (a) => ((a as number[])[1]! === 0 ? 0 : (a as number[])[0]! / (a as number[])[1]!),
      };
    case 'custom': {
      const c = node.custom!;
      const init = c.init.fn;
      const add = c.add.fn as (a: unknown, e: unknown) => unknown;
      const merge = c.merge.fn as (a: unknown, b: unknown) => unknown;
      return { init, add, merge, result: (a) => a };
    }
  }
}
