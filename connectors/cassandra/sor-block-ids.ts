const [QUOTE, COMMA, BACKSLASH, OPEN, CLOSE, OPEN_OBJECT, CLOSE_OBJECT] = [34, 44, 92, 91, 93, 123, 125];

/**
 * The end of the JSON string whose opening quote is at `at`: the index of
 * its closing quote, or -1 when the text ends first.
 */
function stringEnd(text: string, at: number): number {
  let end = text.indexOf('"', at + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/**
 * The index of the `]` that closes a pair whose event starts at `at`: the
 * event skipped by its brackets and braces (strings passed over whole);
 * -1 when the text ends first.
 */
function pairEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return -1;
    } else if (c === OPEN || c === OPEN_OBJECT) depth++;
    else if (c === CLOSE || c === CLOSE_OBJECT) {
      if (depth === 0) return c === CLOSE ? i : -1;
      depth--;
    }
  }
  return -1;
}

/** A JSON string's text (between its quotes) as the string it stands for; undefined if its escapes are not JSON's. */
function idOf(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * The event ids of a block's JSON as the writer makes it (`[["id",event],…]`,
 * no spaces), found without decoding the events: a reader learns which ids a
 * partition's blocks share before it decodes any of them. Undefined for any
 * other shape, which the caller then decodes whole (JSON.parse also tells
 * a block that is not JSON at all). Of valid JSON in the writer's shape, the
 * ids are exactly those JSON.parse gives; a block that is not valid JSON may
 * still give ids here, so the decode that follows checks them again.
 */
export function blockIds(text: string): string[] | undefined {
  if (text.charCodeAt(0) !== OPEN) return undefined;
  const ids: string[] = [];
  if (text.length === 2 && text.charCodeAt(1) === CLOSE) return ids;
  let at = 1;
  for (;;) {
    if (text.charCodeAt(at) !== OPEN || text.charCodeAt(at + 1) !== QUOTE) return undefined;
    const end = stringEnd(text, at + 1);
    if (end === -1 || text.charCodeAt(end + 1) !== COMMA) return undefined;
    const id = idOf(text.slice(at + 2, end));
    if (id === undefined) return undefined;
    ids.push(id);
    const close = pairEnd(text, end + 2);
    if (close === -1) return undefined;
    const next = text.charCodeAt(close + 1);
    if (next === CLOSE) return close + 2 === text.length ? ids : undefined;
    if (next !== COMMA) return undefined;
    at = close + 2;
  }
}
