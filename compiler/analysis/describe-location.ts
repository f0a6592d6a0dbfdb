import { relative } from 'node:path';
import type { SourceLocation } from '../ir/index.ts';

/** `file:line:col`, relative to the working directory when inside it: what editors and terminals link. */
export function describeLocation(location: SourceLocation | undefined): string {
  if (!location) return 'an unknown place';
  const rel = relative(process.cwd(), location.file);
  const file = rel.startsWith('..') ? location.file : rel;
  return `${file}:${location.line}:${location.column}`;
}
