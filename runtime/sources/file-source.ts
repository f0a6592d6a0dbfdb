import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RunnerError } from '../runner-error.ts';
import type { SourceReader } from './source-reader.ts';

/** Splits one CSV line (RFC 4180 quoting) into fields. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * Streams a JSONL or CSV file line by line (never the whole file in memory).
 * JSONL lines stay strings until `.parse()` decodes them, so a bad line
 * becomes a dead letter, not a crash. CSV rows become objects of strings
 * keyed by the header. The position is the number of data lines consumed.
 * The read that delivers the last line says the input is done (it looks one
 * line ahead): an end found only by a further, empty read would leave
 * `emit: 'final'` windows unwritten when the file ends on a batch boundary.
 */
export function fileSource(path: string, format: 'jsonl' | 'csv', from: unknown): SourceReader {
  if (!existsSync(path)) throw new RunnerError(`source.file: ${path} does not exist`);
  const skip = typeof from === 'number' ? from : 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let header: string[] | undefined;
  let lineNo = 0;
  let consumed = 0;
  /** The next data line, read ahead; null at the end of the file, undefined when not read yet. */
  let ahead: { line: string; lineNo: number } | null | undefined;
  const peek = async () => {
    while (ahead === undefined) {
      const next = await lines.next();
      if (next.done) {
        ahead = null;
        break;
      }
      lineNo++;
      if (next.value.trim() === '') continue;
      if (format === 'csv' && header === undefined) header = splitCsvLine(next.value);
      else ahead = { line: next.value, lineNo };
    }
    return ahead;
  };
  return {
    async read(max) {
      const values: unknown[] = [];
      const lineNumbers: number[] = [];
      for (let next = await peek(); next !== null && values.length < max; next = await peek()) {
        ahead = undefined;
        if (++consumed <= skip) continue;
        values.push(
          format === 'csv'
            ? Object.fromEntries(splitCsvLine(next.line).map((v, i) => [header![i] ?? `column${i + 1}`, v]))
            : next.line,
        );
        lineNumbers.push(next.lineNo);
      }
      return { values, position: (i) => `${path}:${lineNumbers[i]}`, done: (await peek()) === null };
    },
    position: () => consumed,
    async close() {
      await lines.return?.();
    },
  };
}
