import pc from 'picocolors';
import type { RowChange } from '../../runners/local/plan-diff.ts';

const shown = 15;
const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const columns = (row: Readonly<Record<string, unknown>> | undefined) =>
  row
    ? Object.entries(row)
        .map(([c, v]) => `${c}=${cell(v)}`)
        .join(' ')
    : '—';

/** A dry-run's writes as a table per sink, each row marked new (+), changed (~), unchanged (=) or a counter delta (Δ). */
export function formatChanges(changes: readonly RowChange[]): string {
  const out: string[] = [];
  const bySink = new Map<string, RowChange[]>();
  for (const c of changes) bySink.set(c.sink, [...(bySink.get(c.sink) ?? []), c]);
  for (const [sink, rows] of bySink) {
    const count = (k: RowChange['change']) => rows.filter((r) => r.change === k).length;
    out.push(
      `${pc.bold(sink)}: ${rows.length} rows — ${count('insert')} new, ${count('update')} changed, ${count('same')} unchanged, ${count('add')} counter deltas`,
    );
    const interesting = [...rows.filter((r) => r.change !== 'same'), ...rows.filter((r) => r.change === 'same')];
    for (const r of interesting.slice(0, shown)) {
      const key = r.key.map(cell).join(', ');
      if (r.change === 'insert') out.push(`  ${pc.green('+')} (${key}) ${columns(r.after)}`);
      else if (r.change === 'update')
        out.push(`  ${pc.yellow('~')} (${key}) ${columns(r.before)} → ${columns(r.after)}`);
      else if (r.change === 'add') out.push(`  ${pc.cyan('Δ')} (${key}) ${columns(r.before)} + ${columns(r.after)}`);
      else out.push(pc.dim(`  = (${key}) ${columns(r.after)}`));
    }
    if (rows.length > shown) out.push(pc.dim(`  … ${rows.length - shown} more`));
  }
  return out.length > 0 ? out.join('\n') : 'no writes';
}
