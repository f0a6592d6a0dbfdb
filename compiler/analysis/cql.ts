/**
 * Just enough CQL to lint driver code: which statement writes which table,
 * which columns are counters updated by a delta, which values (bind markers
 * or CQL functions) land in which column, and the primary keys declared by
 * CREATE TABLE statements. Not a full parser: what it cannot read, it skips.
 */

export interface BoundValue {
  readonly column: string;
  /** `?` markers are numbered from 0 in statement order; named markers keep their name. */
  readonly marker?: number | string;
  /** The value's CQL text when it is not a marker, e.g. `now()`. */
  readonly text: string;
}

export interface CqlWrite {
  readonly verb: 'insert' | 'update';
  readonly table: string;
  /** Columns the statement itself says are keys (UPDATE's WHERE); INSERT needs the table's schema. */
  readonly whereColumns: readonly string[];
  readonly values: readonly BoundValue[];
  /** Counter columns updated by a delta: `c = c + ?`. */
  readonly counterDeltas: readonly string[];
}

const identifier = String.raw`"?[A-Za-z_][A-Za-z0-9_]*"?`;
const tableName = String.raw`(?:${identifier}\.)?${identifier}`;

export const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1) : name.toLowerCase());
/**
 * Stands for a `${…}` part of a template the lint cannot read: it parses as
 * an identifier, so the statement's shape is still read, but a table named
 * with it is unknown — never matched to a schema, and shown as unknown.
 */
export const unknownPart = 'idemflow_unknown_part';

export const isUnknownTable = (table: string) => table.includes(unknownPart);

/**
 * `unknownPart` that remembers the expression it stands for (`${col}` as
 * `idemflow_unknown_part_636f6c_`), so a message names the part as written.
 * Hex keeps it one identifier; the closing `_` ends it before what follows.
 */
export function unknownPartFor(expressionText: string): string {
  const text = expressionText.replace(/\s+/g, '');
  return text.length > 0 && text.length <= 40 ? `${unknownPart}_${Buffer.from(text).toString('hex')}_` : unknownPart;
}

const unknownParts = new RegExp(`${unknownPart}(?:_([0-9a-f]+)_)?`, 'g');

/** A table or column name for messages: an unknown part shown as written (`${col}`), or `${…}`. */
export const displayName = (name: string) =>
  name.replace(unknownParts, (_, hex?: string) => `\${${hex ? Buffer.from(hex, 'hex').toString() : '…'}}`);

/** A table for messages: its name, or what is known of a name built at run time. */
export const displayTable = (table: string) =>
  isUnknownTable(table) ? `an unknown table (${displayName(table)})` : table;

/** Table names compare without their keyspace. */
export const tableKey = (name: string) => unquote(name.split('.').pop()!);

/** Splits on commas outside parentheses and quotes, keeping each part's offset. */
function splitTopLevel(text: string, offset: number): { text: string; at: number }[] {
  const parts: { text: string; at: number }[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if ((c === ',' && depth === 0) || c === undefined) {
      const raw = text.slice(start, i);
      const lead = raw.length - raw.trimStart().length;
      parts.push({ text: raw.trim(), at: offset + start + lead });
      start = i + 1;
    }
  }
  return parts.filter((p) => p.text !== '');
}

/** Offsets of `?` markers outside string literals. */
const markerOffsets = (cql: string) => offsetsOutsideQuotes(cql, '?');

/** Offsets of a character outside string literals, from `from` on. */
function offsetsOutsideQuotes(cql: string, wanted: string, from = 0): number[] {
  const offsets: number[] = [];
  let quote: string | undefined;
  for (let i = from; i < cql.length; i++) {
    const c = cql[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === wanted) offsets.push(i);
  }
  return offsets;
}

function boundValue(column: string, valueText: string, at: number, markers: readonly number[]): BoundValue {
  if (valueText === '?') return { column, marker: markers.indexOf(at), text: valueText };
  const named = /^:(\w+)$/.exec(valueText);
  if (named) return { column, marker: named[1]!, text: valueText };
  return { column, text: valueText };
}

function parseInsert(cql: string, markers: readonly number[]): CqlWrite | undefined {
  const m = new RegExp(String.raw`^\s*INSERT\s+INTO\s+(${tableName})\s*\(([^)]*)\)\s*VALUES\s*\(`, 'i').exec(cql);
  if (!m) return undefined;
  const valuesStart = m[0].length;
  let depth = 1;
  let end = valuesStart;
  for (; end < cql.length && depth > 0; end++) depth += cql[end] === '(' ? 1 : cql[end] === ')' ? -1 : 0;
  const columns = splitTopLevel(m[2]!, 0).map((c) => unquote(c.text));
  const values = splitTopLevel(cql.slice(valuesStart, end - 1), valuesStart);
  return {
    verb: 'insert',
    table: tableKey(m[1]!),
    whereColumns: [],
    values: columns.flatMap((column, i) =>
      values[i] ? [boundValue(column, values[i].text, values[i].at, markers)] : [],
    ),
    counterDeltas: [],
  };
}

function parseUpdate(cql: string, markers: readonly number[]): CqlWrite | undefined {
  const m = new RegExp(String.raw`^\s*UPDATE\s+(${tableName})(?:\s+USING\s+.*?)?\s+SET\s+`, 'is').exec(cql);
  if (!m) return undefined;
  const setStart = m[0].length;
  const whereAt = cql.slice(setStart).search(/\sWHERE\s/i);
  if (whereAt < 0) return undefined;
  const values: BoundValue[] = [];
  const counterDeltas: string[] = [];
  for (const part of splitTopLevel(cql.slice(setStart, setStart + whereAt), setStart)) {
    const a = new RegExp(String.raw`^(${identifier})\s*=\s*(.+)$`, 's').exec(part.text);
    if (!a) continue;
    const column = unquote(a[1]!);
    const rhs = a[2]!.trim();
    const delta = new RegExp(String.raw`^(?:(${identifier})\s*[+-]\s*(.+)|(.+?)\s*\+\s*(${identifier}))$`, 's').exec(
      rhs,
    );
    if (delta && (unquote(delta[1] ?? '') === column || unquote(delta[4] ?? '') === column)) counterDeltas.push(column);
    else values.push(boundValue(column, rhs, part.at + part.text.length - rhs.length, markers));
  }
  const whereStart = setStart + whereAt;
  const whereColumns: string[] = [];
  const condition = new RegExp(
    String.raw`(${identifier})\s*(?:=|\bIN\b)\s*(\?|:\w+|[A-Za-z_]\w*\s*\([^)]*\)|'[^']*'|[\w.-]+)`,
    'gi',
  );
  for (const c of cql.slice(whereStart).matchAll(condition)) {
    const column = unquote(c[1]!);
    if (/^(and|where|if)$/i.test(column)) continue;
    whereColumns.push(column);
    const valueAt = whereStart + c.index + c[0].length - c[2]!.length;
    values.push(boundValue(column, c[2]!, valueAt, markers));
  }
  return { verb: 'update', table: tableKey(m[1]!), whereColumns, values, counterDeltas };
}

/**
 * An INSERT or UPDATE statement's shape, or undefined for anything else. Comments are read as blanks
 * (`SET n = /* one more *\/ n + 1` is a delta); a whole `BEGIN [COUNTER] BATCH … APPLY BATCH` sent as one
 * string is read as its first counter update, else its first write (unseen round 11, U11D f02/f03).
 */
export function parseCqlWrite(text: string): CqlWrite | undefined {
  const cql = blankComments(text);
  const markers = markerOffsets(cql);
  const single = (statement: string) => parseInsert(statement, markers) ?? parseUpdate(statement, markers);
  const batch = /^\s*BEGIN\s+(?:UNLOGGED\s+|COUNTER\s+)?BATCH\b(?:\s+USING\s+\S+\s+\S+)?/i.exec(cql);
  if (!batch) return single(cql);
  const writes = batchStatements(cql, batch[0].length).flatMap((statement) => single(statement) ?? []);
  return writes.find((w) => w.counterDeltas.length > 0) ?? writes[0];
}

/**
 * The statements of a batch, each as the whole text with everything else blanked, so that offsets (and so
 * the numbering of `?` markers) stay those of the batch.
 */
function batchStatements(cql: string, bodyStart: number): string[] {
  const end = cql.search(/\bAPPLY\s+BATCH\b/i);
  const body = cql.slice(0, end < 0 ? cql.length : end);
  const statements: string[] = [];
  let start = bodyStart;
  for (const cut of [...offsetsOutsideQuotes(body, ';', bodyStart), body.length]) {
    if (body.slice(start, cut).trim()) statements.push(' '.repeat(start) + body.slice(start, cut));
    start = cut + 1;
  }
  return statements;
}

/** CQL's comments (`/* … *\/`, `-- …`, `// …`, outside string literals) turned into spaces of the same length. */
function blankComments(cql: string): string {
  if (!/\/\*|--|\/\//.test(cql)) return cql;
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < cql.length; i++) {
    const c = cql[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (cql.startsWith('/*', i) || cql.startsWith('--', i) || cql.startsWith('//', i)) {
      const close = c === '/' && cql[i + 1] === '*' ? cql.indexOf('*/', i + 2) : cql.indexOf('\n', i);
      const stop = close < 0 ? cql.length : c === '/' && cql[i + 1] === '*' ? close + 2 : close;
      out += cql.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** CQL functions that give a new value on every call: a key made from them is new on every retry. */
export function nondeterministicCqlFunction(text: string): string | undefined {
  const m = /\b(now|uuid|currenttimestamp|currentdate|currenttime|currenttimeuuid)\s*\(/i.exec(text);
  return m ? `${m[1]!.toLowerCase()}()` : undefined;
}

/** `CREATE TABLE ks.t (a text, b int, c int, PRIMARY KEY ((a, b), c))` → t: [a, b, c]. */
export function parseCreateTable(cql: string): { table: string; primaryKey: string[] } | undefined {
  const m = new RegExp(
    String.raw`^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${tableName})\s*\(([\s\S]*)\)`,
    'i',
  ).exec(cql);
  if (!m) return undefined;
  const body = m[2]!;
  const explicit = /PRIMARY\s+KEY\s*\(([\s\S]*)\)/i.exec(body);
  let primaryKey: string[];
  if (explicit) {
    primaryKey = explicit[1]!
      .replace(/[()]/g, ' ')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)
      .map(unquote);
  } else {
    const inline = splitTopLevel(body, 0).find((c) => /\bPRIMARY\s+KEY\b/i.test(c.text));
    primaryKey = inline ? [unquote(inline.text.split(/\s+/)[0]!)] : [];
  }
  const table = tableKey(m[1]!);
  return primaryKey.length > 0 && !isUnknownTable(table) ? { table, primaryKey } : undefined;
}

/**
 * The columns of a CREATE TABLE typed `set<…>` or `map<…>` (also frozen or
 * not): `SET tags = tags + ?` on them adds elements, and adding an element
 * twice leaves the same collection — not a counter. (`list<…>` is left out:
 * appending to a list twice does repeat the element.)
 */
export function setAndMapColumns(cql: string): { table: string; columns: string[] } | undefined {
  const m = new RegExp(
    String.raw`^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${tableName})\s*\(([\s\S]*)\)`,
    'i',
  ).exec(cql);
  if (!m) return undefined;
  const columns = splitTopLevel(m[2]!, 0)
    .map((c) => /^\s*("[^"]+"|[\w$]+)\s+(?:frozen\s*<\s*)?(set|map)\s*</i.exec(c.text)?.[1])
    .filter((c): c is string => c !== undefined)
    .map(unquote);
  return { table: tableKey(m[1]!), columns };
}
