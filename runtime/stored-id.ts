/**
 * The text an event id is stored as in a system of record, and the only way an id becomes it: the
 * Cassandra writer stores it (in every layout), its readers give it back, the dry-run looks an id up by
 * it. A string is itself; any other id is its JSON: `5`, `true`, a Date as `"2024-01-01T00:00:00.000Z"`
 * (with its quotes), an object as `{"a":1}`. So the number 5 and the string "5" are one id there (the
 * embedded store keeps the value itself and tells them apart). The archive step dead-letters an id
 * JSON would change or cannot write, so every archived id has its text.
 */
export function storedId(id: unknown): string {
  if (typeof id === 'string') return id;
  const text = JSON.stringify(id) as string | undefined;
  if (text === undefined) throw new TypeError(`an event id of type ${typeof id} has no stored text`);
  return text;
}

/** A surrogate not paired: in a `u` regex a pair is one code point, not a surrogate (`search` still gives code units). */
const loneSurrogate = /\p{Cs}/u;

/**
 * The position (UTF-16 code unit) of the first lone surrogate in a string — half of a pair with no
 * other half — or -1 when there is none. UTF-8, as Cassandra's text columns hold it, has no such
 * character: each becomes U+FFFD, so two ids differing only there are stored as one.
 */
export const loneSurrogateAt = (text: string): number => text.search(loneSurrogate);
