import { readFileSync } from 'node:fs';
import pc from 'picocolors';
import type { Severity } from '../../../compiler/index.ts';
import { codeFrame } from './code-frame.ts';
import { active, displayPath, lintCounts, type LintFormatter } from './lint-formatter.ts';

const paint: Readonly<Record<Severity, (s: string) => string>> = { error: pc.red, warning: pc.yellow, note: pc.cyan };
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function readText(file: string, cache: Map<string, string>): string {
  if (!cache.has(file)) {
    try {
      cache.set(file, readFileSync(file, 'utf8'));
    } catch {
      cache.set(file, '');
    }
  }
  return cache.get(file)!;
}

/** For people: each finding with where, a code frame, what and how to fix; then a summary. */
export const pretty: LintFormatter = (result) => {
  const out: string[] = [];
  const texts = new Map<string, string>();
  for (const f of active(result)) {
    const { file, line, column } = f.location;
    out.push(
      `${pc.bold(`${displayPath(file)}:${line}:${column}`)}  ${paint[f.severity](f.severity)}  ${pc.bold(f.code)} ${pc.dim(f.rule)}`,
    );
    out.push(`  ${f.message}`);
    out.push(codeFrame(readText(file, texts), line, column));
    out.push(`  ${pc.green('fix:')} ${f.fix}`);
    out.push('');
  }
  const c = lintCounts(result);
  const mark = c.error > 0 ? pc.red('✖') : pc.green('✔');
  const suppressed = c.suppressed > 0 ? ` (${c.suppressed} suppressed)` : '';
  out.push(
    `${mark} ${plural(result.files.length, 'file')}, ${plural(result.pipelines, 'pipeline')}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.note, 'note')}${suppressed}`,
  );
  if (result.tsconfigs)
    out.push(
      pc.dim(
        `  compiler options: ${result.tsconfigs.length === 0 ? 'built-in defaults (no tsconfig.json above the files)' : result.tsconfigs.map(displayPath).join(', ')}`,
      ),
    );
  if (result.skippedTests)
    out.push(
      pc.dim(`  ${plural(result.skippedTests, 'test or example file')} not linted (--include-tests lints them)`),
    );
  return out.join('\n');
};
