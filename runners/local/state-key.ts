import { createHash } from 'node:crypto';

/** How state indexes a key: primitive keys as they are, composite keys by their JSON. */
export const keyId = (key: unknown): unknown => (typeof key === 'object' && key !== null ? JSON.stringify(key) : key);

/** The window start that stands for "no window" in maps keyed by window start. */
export const unwindowed = 0;

/**
 * A key as an on-disk store indexes it: `keyId` as text, tagged by type so
 * that the number 5 and the string "5" stay apart as they do in a Map. Tags
 * are lowercase letters, so `[window, '~']` ends a window's range. Text
 * longer than 400 characters is kept by its SHA-256: LMDB keys stop at
 * 1,978 bytes, and a key's text may be anything.
 */
export function storedKeyText(key: unknown): string {
  const id = keyId(key);
  const text = typeof id === 'string' ? `s${id}` : `${typeTag(id)}${String(id)}`;
  return text.length > 400 ? `h${createHash('sha256').update(text).digest('base64url')}` : text;
}

function typeTag(id: unknown): string {
  switch (typeof id) {
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'bigint':
      return 'i';
    case 'undefined':
      return 'u';
    case 'object':
      return 'z'; // null: keyId turns every other object into its JSON
    default:
      return 'x';
  }
}

/** Whether `storedKeyText(key)` alone gives the key back (`keyOfText`); if not, a store keeps the key beside its value. */
export const textGivesKey = (text: string, key: unknown): boolean =>
  text[0] === 's' ? typeof key === 'string' : text[0] !== 'h' && text[0] !== 'x';

/** The key a stored text stands for (see `textGivesKey`). */
export function keyOfText(text: string): unknown {
  const rest = text.slice(1);
  switch (text[0]) {
    case 'n':
      return Number(rest);
    case 'b':
      return rest === 'true';
    case 'i':
      return BigInt(rest);
    case 'u':
      return undefined;
    case 'z':
      return null;
    default:
      return rest;
  }
}
