import type { AggregateNode } from '../../compiler/ir/index.ts';
import type { AggregateInput } from './run-context.ts';

/**
 * The aggregations a bundle pre-aggregates before Beam's grouping: those whose partial result is a number
 * that a sum combines exactly as the records would have been. A count's partial is the count of the
 * bundle's inputs of a (key, window), a sum's the sum of their values: the grouping then sums the
 * partials. (Beam lifts its own combiners too, but only after each record has passed the split, the
 * event time, the window and the key extraction, and with the window and the key encoded to base64 for
 * every record.) min, max, avg and custom combiners are left to Beam.
 */
export type PreAggregated = Extract<AggregateNode['op'], 'count' | 'sum'>;

export const preAggregatable = (op: AggregateNode['op'] | undefined): op is PreAggregated =>
  op === 'count' || op === 'sum';

/**
 * At most this many (key, window) partials a bundle holds (Beam's own pre-combine holds 10,000 too):
 * past it, they are handed on and the bundle starts new ones, so memory stays bounded whatever the
 * number of keys. The grouping sums what comes, so an early hand-on changes no result.
 */
export const maxPartials = 10_000;

/** One bundle's partials by (key, window): each aggregate input added once, each partial taken once. */
export class BundlePartials {
  readonly #partials = new Map<string, { k: string; t?: number; n: number }>();

  constructor(
    readonly op: PreAggregated,
    readonly limit = maxPartials,
  ) {}

  /** Adds an input to its (key, window)'s partial; true once the bundle holds `limit` partials. */
  add(input: AggregateInput): boolean {
    // The time is the window's last instant (windowElementTime), so it names the window; undefined: no window.
    const id = input.t === undefined ? input.k : `${input.t} ${input.k}`;
    const value = this.op === 'count' ? 1 : input.n!;
    const partial = this.#partials.get(id);
    if (partial) partial.n += value;
    else
      this.#partials.set(id, input.t === undefined ? { k: input.k, n: value } : { k: input.k, t: input.t, n: value });
    return this.#partials.size >= this.limit;
  }

  /** The partials so far, as aggregate inputs whose `n` the grouping sums; the bundle starts afresh. */
  take(): AggregateInput[] {
    const taken = [...this.#partials.values()];
    this.#partials.clear();
    return taken;
  }
}
