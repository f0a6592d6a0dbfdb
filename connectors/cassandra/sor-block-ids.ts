const [QUOTE, COMMA, BACKSLASH, OPEN, CLOSE, OPEN_OBJECT, CLOSE_OBJECT, COLON] = [34, 44, 92, 91, 93, 123, 125, 58];

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
  /** A keyed block's events: event i's JSON is the text from `events[2i]` to `events[2i + 1]`. */
  readonly events?: Int32Array;
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

  done(events?: SpanList): BlockSpans {
    const at = this.at.subarray(0, this.count * 2);
    return { count: this.count, at, escaped: this.escaped, ...(events && { events: events.done().at }) };
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
  if (text.charCodeAt(0) === OPEN_OBJECT) return keyedSpans(text);
  if (text.charCodeAt(0) !== OPEN) return undefined;
  const spans = new SpanList();
  if (text.length === 2 && text.charCodeAt(1) === CLOSE) return spans.done();
  let at = 1;
  for (;;) {
    if (text.charCodeAt(at) !== OPEN || text.charCodeAt(at + 1) !== QUOTE) return undefined;
    const end = stringEnd(text, at + 1);
    if (end === -1 || text.charCodeAt(end + 1) !== COMMA || !idSpan(text, at + 2, end, spans)) return undefined;
    // The `]` closing the pair, after its event (and any spaces, which JSON.parse reads past too).
    let close = valueEnd(text, end + 2);
    while (close !== -1 && close < text.length && text.charCodeAt(close) <= 32) close++;
    if (close === -1 || text.charCodeAt(close) !== CLOSE) return undefined;
    const next = text.charCodeAt(close + 1);
    if (next === CLOSE) return close + 2 === text.length ? spans.done() : undefined;
    if (next !== COMMA) return undefined;
    at = close + 2;
  }
}

/**
 * The index just past the JSON value that starts at `at` (a string, an
 * object or array skipped by its brackets, or a number, `true`, `false`,
 * `null` up to the `,`, `}` or `]` after it); -1 when the text ends first.
 */
function valueEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return -1;
      if (depth === 0) return i + 1;
    } else if (c === OPEN || c === OPEN_OBJECT) depth++;
    else if (c === CLOSE || c === CLOSE_OBJECT) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (c === COMMA && depth === 0) return i;
  }
  return -1;
}

/** Where the id of a keyed block's event lies: its spans pushed; the index past the event, or -1 when not in the writer's shape. */
function keyedEvent(text: string, at: number, field: string, spans: SpanList): number {
  if (text.charCodeAt(at) !== OPEN_OBJECT) return -1;
  let found = false;
  let member = at + 1;
  for (;;) {
    if (text.charCodeAt(member) !== QUOTE) return -1;
    const keyEnd = stringEnd(text, member);
    if (keyEnd === -1 || text.charCodeAt(keyEnd + 1) !== COLON) return -1;
    const value = keyEnd + 2;
    let end: number;
    // The key's text as JSON.stringify writes it: the same text as the field's in the block's head.
    if (keyEnd - member - 1 === field.length && text.startsWith(field, member + 1)) {
      const idEnd = text.charCodeAt(value) === QUOTE ? stringEnd(text, value) : -1;
      if (found || idEnd === -1 || !idSpan(text, value + 1, idEnd, spans)) return -1;
      found = true;
      end = idEnd + 1;
    } else end = valueEnd(text, value);
    if (end === -1) return -1;
    if (text.charCodeAt(end) === CLOSE_OBJECT) return found ? end + 1 : -1;
    if (text.charCodeAt(end) !== COMMA) return -1;
    member = end + 1;
  }
}

/**
 * Pushes the span of an id's text (between its quotes), in either block form, checking its escapes are JSON's
 * (rare: the writer escapes only quotes, backslashes and control characters); false when they are not.
 */
function idSpan(text: string, from: number, to: number, spans: SpanList): boolean {
  let escaped = false;
  for (let i = from; i < to && !escaped; i++) escaped = text.charCodeAt(i) === BACKSLASH;
  if (escaped) {
    if (idOf(text.slice(from, to)) === undefined) return false;
    spans.escaped = true;
  }
  spans.push(from, to);
  return true;
}

const keyedHead = '{"id":"';
const keyedEvents = ',"events":[';

/**
 * `blockSpans` of a keyed block (`{"id":"<field>","events":[event,…]}`, no
 * spaces): each event's id is the string value of its own member named
 * `<field>` at its top level (a member of that name in a nested object is
 * passed over); undefined when an event holds no such member, holds it
 * twice, or holds it as anything but a string.
 */
function keyedSpans(text: string): BlockSpans | undefined {
  if (!text.startsWith(keyedHead)) return undefined;
  const fieldEnd = stringEnd(text, keyedHead.length - 1);
  if (fieldEnd === -1 || !text.startsWith(keyedEvents, fieldEnd + 1)) return undefined;
  const field = text.slice(keyedHead.length, fieldEnd);
  if (idOf(field) === undefined) return undefined;
  const [spans, events] = [new SpanList(), new SpanList()];
  // The `]` at `end` closes the events, and the block's `}` right after it ends the text.
  const closed = (end: number) => (text.length === end + 2 && text.endsWith(']}') ? spans.done(events) : undefined);
  let at = fieldEnd + 1 + keyedEvents.length;
  if (text.charCodeAt(at) === CLOSE) return closed(at);
  for (;;) {
    const end = keyedEvent(text, at, field, spans);
    if (end === -1) return undefined;
    events.push(at, end);
    if (text.charCodeAt(end) === CLOSE) return closed(end);
    if (text.charCodeAt(end) !== COMMA) return undefined;
    at = end + 1;
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
