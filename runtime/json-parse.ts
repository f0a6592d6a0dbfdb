/**
 * JSON.parse proof against V8's escaped-key bug (Node 24 and 26, V8 12.8 to 14.6: nodejs/node#63785): once a
 * text with a key `"\\"` was parsed, a key escaped otherwise (`"\u0001"`, `"\""`) can come back as a
 * backslash, silently. So where the text holds a backslash and a key of the result holds one (what the bug
 * leaves), the text is parsed again here, strictly, with every key decoded as a string value (which the bug
 * does not touch); a key that truly holds a backslash costs that second parse, nothing else. What every
 * JSON idemflow reads from its users' events goes through it: a record at `.parse()`, a system of record's
 * blocks and rows.
 */
export function parseJson(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  return text.includes('\\') && hasBackslashKey(parsed, 0) ? strictJsonParse(text) : parsed;
}

/** Whether an object or array holds, at any depth (up to 64, then yes), a key with a backslash. */
function hasBackslashKey(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > 64) return true;
  if (Array.isArray(value)) return value.some((item) => hasBackslashKey(item, depth + 1));
  for (const key of Object.keys(value)) {
    if (key.includes('\\') || hasBackslashKey((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const space = /[ \t\n\r]*/y;

/** A JSON text parsed without V8's key cache; throws SyntaxError as JSON.parse does for what is not JSON. */
export function strictJsonParse(text: string): unknown {
  const at = { i: 0 };
  const result = valueAt(text, at);
  skipSpace(text, at);
  if (at.i !== text.length) throw new SyntaxError(`Unexpected text after JSON at position ${at.i}`);
  return result;
}

function skipSpace(text: string, at: { i: number }): void {
  space.lastIndex = at.i;
  space.exec(text);
  at.i = space.lastIndex;
}

function valueAt(text: string, at: { i: number }): unknown {
  skipSpace(text, at);
  const c = text[at.i];
  if (c === '{') return objectAt(text, at);
  if (c === '[') return arrayAt(text, at);
  if (c === '"') return stringAt(text, at);
  literal.lastIndex = at.i;
  const token = literal.exec(text);
  if (!token) throw new SyntaxError(`Unexpected token in JSON at position ${at.i}`);
  at.i = literal.lastIndex;
  return JSON.parse(token[0]) as unknown;
}

/** A string token, decoded by JSON.parse (a string value, not a key: untouched by the bug). */
function stringAt(text: string, at: { i: number }): string {
  let end = at.i + 1;
  while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  if (end >= text.length) throw new SyntaxError(`Unterminated string in JSON at position ${at.i}`);
  const value = JSON.parse(text.slice(at.i, end + 1)) as string;
  at.i = end + 1;
  return value;
}

function expect(text: string, at: { i: number }, c: string): void {
  skipSpace(text, at);
  if (text[at.i] !== c) throw new SyntaxError(`Expected '${c}' in JSON at position ${at.i}`);
  at.i++;
}

function objectAt(text: string, at: { i: number }): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  at.i++;
  skipSpace(text, at);
  if (text[at.i] === '}') return (at.i++, object);
  for (;;) {
    skipSpace(text, at);
    const key = stringAt(text, at);
    expect(text, at, ':');
    // Defined, not assigned, as JSON.parse does: a key `__proto__` is an own field, not the prototype.
    Object.defineProperty(object, key, {
      value: valueAt(text, at),
      writable: true,
      enumerable: true,
      configurable: true,
    });
    skipSpace(text, at);
    if (text[at.i] === '}') return (at.i++, object);
    expect(text, at, ',');
  }
}

function arrayAt(text: string, at: { i: number }): unknown[] {
  const items: unknown[] = [];
  at.i++;
  skipSpace(text, at);
  if (text[at.i] === ']') return (at.i++, items);
  for (;;) {
    items.push(valueAt(text, at));
    skipSpace(text, at);
    if (text[at.i] === ']') return (at.i++, items);
    expect(text, at, ',');
  }
}
