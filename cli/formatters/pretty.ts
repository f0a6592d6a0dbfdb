import pc from 'picocolors';
import { describeLocation, type Severity } from '../../compiler/index.ts';
import { countBySeverity, type Formatter } from '../report.ts';

const paint: Readonly<Record<Severity, (s: string) => string>> = { error: pc.red, warning: pc.yellow, note: pc.cyan };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** For people: one block a pipeline, its cheat-sheet row, then each finding with where, what and how to fix. */
export const pretty: Formatter = (reports, { explain }) => {
  const out: string[] = [];
  for (const r of reports) {
    const s = r.classification.strategy;
    out.push(`${pc.bold(r.name)} ${pc.dim(r.file)}`);
    out.push(`  strategy ${pc.bold(s.id)}: ${s.title}`);
    if (explain) {
      out.push(`    seed's verdict: ${s.verdict}`);
      out.push(`    speed ${s.speed} · accuracy ${s.accuracy} · storage ${s.storage}`);
      for (const reason of r.classification.reasons) out.push(pc.dim(`    - ${reason}`));
    }
    for (const d of r.diagnostics) {
      out.push(`  ${paint[d.severity](d.severity.padEnd(7))} ${pc.bold(d.code)} ${d.message}`);
      out.push(pc.dim(`          at ${describeLocation(d.location)}`));
      out.push(`          ${pc.green('fix:')} ${d.fix}`);
    }
    if (r.diagnostics.length === 0) out.push(`  ${pc.green('✔ replay-safe: no findings')}`);
    out.push('');
  }
  const c = countBySeverity(reports);
  const mark = c.error > 0 ? pc.red('✖') : pc.green('✔');
  out.push(`${mark} ${plural(reports.length, 'pipeline')}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.note, 'note')}`);
  return out.join('\n');
};
