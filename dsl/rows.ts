/**
 * The row an aggregation emits for each (key, window): the whole aggregate,
 * never a delta. Window bounds exist only on windowed streams, so a sink that
 * maps a column to `windowStart` without a window does not compile.
 */
export type AggregateRow<K, V, Windowed extends boolean> = Windowed extends true
  ? { readonly key: K; readonly windowStart: number; readonly windowEnd: number; readonly value: V }
  : { readonly key: K; readonly value: V };

/** Names of the fields of T that hold numbers: what sum/min/max/avg accept. */
export type NumericField<T> = { [F in keyof T & string]: T[F] extends number ? F : never }[keyof T & string];

export type FieldOf<T> = Extract<keyof T, string>;
