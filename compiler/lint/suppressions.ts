import type { SourceLocation } from '../ir/index.ts';

/** `// idemflow-disable-next-line IDEM002, IDEM006 -- reason`: the next line's findings with those codes are suppressed. */
export interface Suppression {
  readonly location: SourceLocation;
  readonly codes: readonly string[];
  /** Empty when the comment gives none: such a suppression is reported and not honoured. */
  readonly reason: string;
}

// A line comment of its own: the same words inside strings or doc comments are not directives.
const directive = /^\s*\/\/\s*idemflow-disable-next-line\b(.*)$/;

export function suppressionsIn(file: string, text: string): Suppression[] {
  const found: Suppression[] = [];
  text.split('\n').forEach((line, index) => {
    const m = directive.exec(line);
    if (!m) return;
    const [codesPart = '', ...reasonParts] = m[1]!.split('--');
    const codes = codesPart.split(/[\s,]+/).filter(Boolean);
    found.push({
      location: { file, line: index + 1, column: line.indexOf('//') + 1 },
      codes,
      reason: reasonParts.join('--').trim(),
    });
  });
  return found;
}
