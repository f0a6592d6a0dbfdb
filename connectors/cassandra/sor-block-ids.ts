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
 * Where a block's ids lie in its JSON, found without making a string: the
 * id of pair i is the text between `at[2i]` and `at[2i + 1]` (inside its
 * quotes). `escaped`: some id holds an escape, so its text is not the id
 * itself (`idsOf` turns each into the string JSON.parse gives).
 */
export interface BlockSpans {
  readonly count: number;
  readonly at: Int32Array;
  readonly escaped: boolean;
}

/** Spans of the ids as they are found; the array grown by doubling. */
class SpanList {
  at = new Int32Array(64);
  count = 0;
  escaped = false;

  push(from: number, to: number): void {
    if (this.count * 2 === this.at.length) {
      const grown = new Int32Array(this.at.length * 2);
      grown.set(this.at);
      this.at = grown;
    }
    this.at[this.count * 2] = from;
    this.at[this.count * 2 + 1] = to;
    this.count++;
  }

  done(): BlockSpans {
    return { count: this.count, at: this.at.subarray(0, this.count * 2), escaped: this.escaped };
  }
}

/**
 * Where the event ids lie in a block's JSON as the writer makes it
 * (`[["id",event],…]`, no spaces), found without decoding the events or
 * making a string: a reader learns which ids a partition's blocks share
 * (by hashes of these spans) before it decodes any of them. Undefined for
 * any other shape, which the caller then decodes whole (JSON.parse also
 * tells a block that is not JSON at all). Of valid JSON in the writer's
 * shape, the ids are exactly those JSON.parse gives; a block that is not
 * valid JSON may still give spans here, so the decode that follows checks
 * them again.
 */
export function blockSpans(text: string): BlockSpans | undefined {
  if (text.charCodeAt(0) !== OPEN) return undefined;
  const spans = new SpanList();
  if (text.length === 2 && text.charCodeAt(1) === CLOSE) return spans.done();
  let at = 1;
  // The next backslash at or after the id being read (-1: none left), so the whole text is searched once.
  let escape = text.indexOf('\\');
  for (;;) {
    if (text.charCodeAt(at) !== OPEN || text.charCodeAt(at + 1) !== QUOTE) return undefined;
    const end = stringEnd(text, at + 1);
    if (end === -1 || text.charCodeAt(end + 1) !== COMMA) return undefined;
    if (escape !== -1 && escape < at + 2) escape = text.indexOf('\\', at + 2);
    if (escape !== -1 && escape < end) {
      // Rare (the writer escapes only quotes, backslashes and control characters): checked now, made a string by idsOf.
      if (idOf(text.slice(at + 2, end)) === undefined) return undefined;
      spans.escaped = true;
    }
    spans.push(at + 2, end);
    const close = pairEnd(text, end + 2);
    if (close === -1) return undefined;
    const next = text.charCodeAt(close + 1);
    if (next === CLOSE) return close + 2 === text.length ? spans.done() : undefined;
    if (next !== COMMA) return undefined;
    at = close + 2;
  }
}

/** The ids at a block's spans, as the strings JSON.parse gives. */
export function idsOf(text: string, spans: BlockSpans): string[] {
  const ids = new Array<string>(spans.count);
  for (let i = 0; i < spans.count; i++) {
    const raw = text.slice(spans.at[i * 2], spans.at[i * 2 + 1]);
    ids[i] = spans.escaped ? idOf(raw)! : raw;
  }
  return ids;
}

/**
 * Whether `id` is the id at span i, compared in place: a decoded block's
 * ids checked against those its spans were hashed from, with no string made.
 */
export function isIdAt(text: string, spans: BlockSpans, i: number, id: string): boolean {
  const [from, to] = [spans.at[i * 2]!, spans.at[i * 2 + 1]!];
  if (spans.escaped) return idOf(text.slice(from, to)) === id;
  if (id.length !== to - from) return false;
  for (let k = 0; k < id.length; k++) if (id.charCodeAt(k) !== text.charCodeAt(from + k)) return false;
  return true;
}

/** The event ids of a block's JSON in the writer's shape (see `blockSpans`); undefined for any other shape. */
export function blockIds(text: string): string[] | undefined {
  const spans = blockSpans(text);
  return spans && idsOf(text, spans);
}
