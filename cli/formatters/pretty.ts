import pc from 'picocolors';
import { describeLocation, type Severity } from '../../compiler/index.ts';
import type { MeasuredRow } from '../../compiler/strategy/measurements.ts';
import { countBySeverity, type Formatter } from '../report.ts';

const paint: Readonly<Record<Severity, (s: string) => string>> = { error: pc.red, warning: pc.yellow, note: pc.cyan };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const signed = (n: number) => `${n > 0 ? '+' : ''}${n.toFixed(2)}%`;
const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The measured row of the cheat sheet (docs/cheat-sheet.md), as `--explain` cites it. */
function measuredLines(row: MeasuredRow, generatedAt: string, seeds: number): string[] {
  const after = row.errorAfter
    ? `, after repair ${signed(row.errorAfter.mean)} (exact in ${row.exactSeeds}/${row.seeds} seeds)`
    : ', no repair possible';
  const storage = Object.entries(row.storageBytes)
    .map(([t, b]) => `${t} ${number.format(b)} B`)
    .join(', ');
  return [
    `    measured (${seeds} seeds, ${generatedAt.slice(0, 10)}, docs/cheat-sheet.md): ${number.format(row.eventsPerSecond)} events/s; error ${signed(row.errorBefore.mean)} before repair${after}`,
    `      events lost ${row.eventsLost.toFixed(1)} a trial · recovery ${row.recoveryMs === undefined ? '—' : `${(row.recoveryMs / 1000).toFixed(1)} s`} · storage ${storage}${row.walPeakBytes > 0 ? ` + WAL ${number.format(row.walPeakBytes)} B` : ''}`,
  ];
}

/** The rows whose claim is that repair makes them exact: a measurement with an inexact seed refutes it. */
const claimsExactness = (accuracy: string) => accuracy === 'permanently accurate' || accuracy === 'highly accurate';

/** For people: one block a pipeline, its cheat-sheet row, then each finding with where, what and how to fix. */
export const pretty: Formatter = (reports, options) => {
  const { explain } = options;
  const out: string[] = [];
  for (const r of reports) {
    const s = r.classification.strategy;
    out.push(`${pc.bold(r.name)} ${pc.dim(r.file)}`);
    out.push(`  strategy ${pc.bold(s.id)}: ${s.title}`);
    if (explain) {
      out.push(`    the guide's verdict (Real Time Analytics with Spark Streaming and Cassandra): ${s.verdict}`);
      out.push(`    the guide claims: speed ${s.speed} · accuracy ${s.accuracy} · storage ${s.storage}`);
      for (const reason of r.classification.reasons) out.push(pc.dim(`    - ${reason}`));
      const m = options.measured?.(s.id);
      if (m) out.push(...measuredLines(m.row, m.generatedAt, m.seeds));
      if (m && claimsExactness(s.accuracy) && m.row.exactSeeds < m.row.seeds) {
        out.push(
          `    ${pc.red('✘ measured: refutes')} "${s.accuracy}": exact after repair in ${m.row.exactSeeds}/${m.row.seeds} seeds (see docs/cheat-sheet.md)`,
        );
      } else out.push(pc.dim('    measured: no results yet (npm run bench -- strategies)'));
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
  const unloaded = options.unloaded?.length ?? 0;
  const mark = c.error > 0 || unloaded > 0 ? pc.red('✖') : pc.green('✔');
  const notLoaded = unloaded > 0 ? `; ${plural(unloaded, 'file')} not loaded (named on stderr)` : '';
  out.push(
    `${mark} ${plural(reports.length, 'pipeline')}: ${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.note, 'note')}${notLoaded}`,
  );
  return out.join('\n');
};
