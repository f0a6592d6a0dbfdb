import { unknownValue, type AbstractValue } from './abstract-value.ts';

/** String methods that make new text from known text alone (no locale, no clock): read as JavaScript runs them. */
const textMethods = new Set([
  'concat',
  'replace',
  'replaceAll',
  'trim',
  'trimStart',
  'trimEnd',
  'toUpperCase',
  'toLowerCase',
]);

const isText = (v: AbstractValue | undefined): v is { type: 'literal'; value: string } =>
  v?.type === 'literal' && typeof v.value === 'string';

/**
 * `'UPDATE '.concat(TABLE, ' SET ', col, …)`, `TEMPLATE.replace('{table}', t).replaceAll('{col}', c)`
 * (unseen round 10, U10D): the text a known string's method makes from known arguments.
 * A pattern given as a RegExp or a replacement given as a function is not read. Undefined for other methods.
 */
export function textMethodValue(
  receiver: AbstractValue,
  method: string,
  args: readonly AbstractValue[],
): AbstractValue | undefined {
  if (!isText(receiver) || !textMethods.has(method)) return undefined;
  const text = receiver.value;
  if (method === 'concat') {
    const parts = args.map((a) => (a.type === 'literal' && a.value !== undefined ? String(a.value) : undefined));
    return parts.every((p) => p !== undefined) ? { type: 'literal', value: text.concat(...parts) } : unknownValue;
  }
  if (method === 'replace' || method === 'replaceAll') {
    const [pattern, replacement] = args;
    if (!isText(pattern) || !isText(replacement)) return unknownValue;
    const replaced =
      method === 'replace'
        ? text.replace(pattern.value, () => replacement.value)
        : text.split(pattern.value).join(replacement.value);
    return { type: 'literal', value: replaced };
  }
  if (args.length > 0) return unknownValue;
  return { type: 'literal', value: text[method as 'trim'].call(text) };
}

/** `Object.fromEntries([['hit', 'UPDATE …'], …])` of known keys: the object, as a literal written out. */
export function entriesObject(entries: AbstractValue | undefined): AbstractValue {
  if (entries?.type !== 'array') return unknownValue;
  const props = new Map<string, AbstractValue>();
  let complete = true;
  for (const pair of entries.items) {
    const key = pair.type === 'array' ? pair.items[0] : undefined;
    if (pair.type !== 'array' || key?.type !== 'literal' || key.value === undefined) {
      complete = false;
      continue;
    }
    props.set(String(key.value), pair.items[1] ?? unknownValue);
  }
  return { type: 'object', props, complete };
}
