import ts from 'typescript';

/** Where the window start was cut coarser, as seen from the function being checked. */
export interface Cut {
  /** The expression in the checked function that cuts, or that calls the helper which does. */
  readonly at: ts.Node;
  /** The cutting expression as written, e.g. "`.slice(0, 10)`". */
  readonly what: string;
  /** Helpers between `at` and the cut, outermost first. */
  readonly via: readonly string[];
}

/** A value that comes round again: window starts `period` ms apart give the same value (`getUTCHours()` every day). */
export interface Cycle {
  readonly period: number;
  /** Where the part coarser than the period was dropped. */
  readonly at: Cut;
}

/** A value made from the window start that tells two window starts apart only when they are `grain` ms apart. */
interface Timed {
  readonly grain: number;
  readonly cut?: Cut;
  readonly cycle?: Cycle;
}

/**
 * What a value keeps of the window start, as far as the analysis can read:
 * the aggregate row itself, a number (`scale` ms a unit when it is still a
 * time; `remainder` after `% c`), a Date, an ISO-8601 string, other text,
 * or a list of such values. Anything else is `undefined`: not made from the
 * window, or made in a way the analysis cannot read (then it stays silent).
 */
export type TimeValue =
  | { readonly kind: 'row' }
  | (Timed & { readonly kind: 'number'; readonly scale?: number; readonly remainder?: number })
  | (Timed & { readonly kind: 'date' | 'iso' | 'text' })
  /** `toUTCString()`: `Thu, 03 Dec 2026 13:05:00 GMT`, text of a fixed layout that a prefix cut keeps part of. */
  | (Timed & { readonly kind: 'utc' })
  /** `item` stands for any element; `items`, when known, for each by its index (`iso.split('T')`: the date, then the time). */
  | { readonly kind: 'list'; readonly item: TimeValue; readonly items?: readonly TimeValue[] };

export type TimedValue = Extract<TimeValue, { grain: number }>;

export const isTimed = (value: TimeValue | undefined): value is TimedValue => value !== undefined && 'grain' in value;

/**
 * The value that keeps the most: a key made of several parts tells windows
 * apart as finely as its finest part, and comes round again only if every
 * part does (the longest cycle of them: hour and day of month repeat monthly).
 */
export function finest(values: readonly (TimeValue | undefined)[]): TimeValue | undefined {
  let best: TimeValue | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (best === undefined || (isTimed(v) && (!isTimed(best) || v.grain < best.grain))) best = v;
  }
  if (!isTimed(best)) return best;
  const timed = values.filter(isTimed);
  const { cycle: _own, ...rest } = best;
  if (!timed.every((v) => v.cycle)) return rest;
  const longest = timed.reduce((a, b) => (b.cycle!.period > a.cycle!.period ? b : a));
  return { ...rest, cycle: longest.cycle! };
}

/** What a value made from `v` keeps of it: its grain, where it was cut, and its cycle. */
export function keptOf(v: TimedValue): { grain: number; cut?: Cut; cycle?: Cycle } {
  return { grain: v.grain, ...(v.cut ? { cut: v.cut } : {}), ...(v.cycle ? { cycle: v.cycle } : {}) };
}

/** The node findings point at: a method's name in a chain (`slice` of `….slice(0, 10)`), else the expression. */
export function pointAt(node: ts.Node): ts.Node {
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const receiver = node.expression.expression;
    // `Math.floor(…)`, `dateFns.format(…)`: a namespace's function, pointed at as a whole.
    if (!ts.isIdentifier(receiver)) return node.expression.name;
  }
  return node;
}

function brief(node: ts.Node, from: ts.Node): string {
  const text = node
    .getText()
    .slice(from.getStart() - node.getStart())
    .replace(/\s+/g, ' ');
  return `\`${text.length > 60 ? `${text.slice(0, 59)}…` : text}\``;
}

/** `value` after `node` keeps only what is within `period` (`getUTCHours()`: the hour of its day). */
export function wrapTo<V extends TimedValue>(value: V, period: number | undefined, node: ts.Node): V {
  if (period === undefined || (value.cycle && value.cycle.period <= period)) return value;
  const at = pointAt(node);
  const from = at === node ? node : (at.parent as ts.PropertyAccessExpression).name;
  return {
    ...value,
    cycle: { period, at: { at, what: at === node ? brief(node, node) : `\`.${brief(node, from).slice(1)}`, via: [] } },
  };
}

/** `value` after `node` keeps only `grain`: the cut is recorded where it happens (the first one stays when nothing more is lost). */
export function cutTo<V extends TimedValue>(value: V, grain: number, node: ts.Node): V {
  if (grain <= value.grain) return value;
  const at = pointAt(node);
  const from = at === node ? node : (at.parent as ts.PropertyAccessExpression).name;
  return {
    ...value,
    grain,
    cut: { at, what: at === node ? brief(node, node) : `\`.${brief(node, from).slice(1)}`, via: [] },
  };
}
