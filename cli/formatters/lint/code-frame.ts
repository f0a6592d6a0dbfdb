import pc from 'picocolors';

/** The lines around `line` with a caret under `column`, like tsc and ESLint print. */
export function codeFrame(text: string, line: number, column: number, context = 2): string {
  const lines = text.split('\n');
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? pc.red('>') : ' ';
    out.push(`  ${marker} ${pc.dim(`${String(n).padStart(width)} |`)} ${lines[n - 1]?.replace(/\r$/, '') ?? ''}`);
    if (n === line)
      out.push(`    ${' '.repeat(width)} ${pc.dim('|')} ${' '.repeat(Math.max(0, column - 1))}${pc.red('^')}`);
  }
  return out.join('\n');
}
