/**
 * A table looked up by a name read from user code (a method, an option), made
 * without a prototype: a name that Object.prototype has (`toLocaleString`,
 * `valueOf`, `constructor`) then finds nothing instead of the built-in
 * function, both with `name in table` and with `table[name]`.
 */
export function lookupTable<T>(entries: Readonly<Record<string, T>>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
