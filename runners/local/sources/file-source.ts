import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RunnerError } from '../../runner-error.ts';
import type { SourceReader } from './source-reader.ts';

/** Splits one CSV line (RFC 4180 quoting) into fields. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; }
    else field += c;
  }
  fields.push(field);
  return fields;
}

/**
 * Streams a JSONL or CSV file line by line (never the whole file in memory).
 * JSONL lines stay strings until `.parse()` decodes them, so a bad line
 * becomes a dead letter, not a crash. CSV rows become objects of strings
 * keyed by the header. The position is the number of data lines consumed.
 */
export function fileSource(path: string, format: 'jsonl' | 'csv', from: unknown): SourceReader {
  if (!existsSync(path)) throw new RunnerError(`source.file: ${path} does not exist`);
  const skip = typeof from === 'number' ? from : 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let header: string[] | undefined;
  let lineNo = 0;
  let consumed = 0;
  let done = false;
  return {
    async read(max) {
      const values: unknown[] = [];
      const lineNumbers: number[] = [];
      while (!done && values.length < max) {
        const next = await lines.next();
        if (next.done) { done = true; break; }
        lineNo++;
        const line = next.value;
        if (line.trim() === '') continue;
        if (format === 'csv' && header === undefined) { header = splitCsvLine(line); continue; }
        consumed++;
        if (consumed <= skip) continue;
        const raw = format === 'csv' ? Object.fromEntries(splitCsvLine(line).map((v, i) => [header![i] ?? `column${i + 1}`, v])) : line;
        values.push(raw);
        lineNumbers.push(lineNo);
      }
      return { values, position: (i) => `${path}:${lineNumbers[i]}`, done };
    },
    position: () => consumed,
    async close() {
      await lines.return?.();
    },
  };
}
