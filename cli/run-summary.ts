import pc from 'picocolors';
import type { LocalRunResult } from '../runners/local/index.ts';
import type { RunResult } from '../runners/runner.ts';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** What `idemflow run` prints when a run ends, on any runner. */
export function summary(result: RunResult & Partial<Pick<LocalRunResult, 'lost'>>, runner = 'local'): string {
  const rate = (result.recordsIn * 1000) / Math.max(1, result.elapsedMs);
  const where = runner === 'local' ? `in ${result.batches} batches` : `on ${runner}`;
  const lines = [
    `${pc.bold(result.pipeline)}: ${number.format(result.recordsIn)} records ${where}, ${(result.elapsedMs / 1000).toFixed(2)} s (${number.format(rate)} records/s)`,
    `  dead letters ${result.deadLetters} · late ${result.late} · lost in flight ${result.lost ?? 0} · replays ${result.replays} · abandoned writes ${result.abandonedWrites}`,
  ];
  for (const [sink, rows] of Object.entries(result.rowsWritten))
    lines.push(`  ${sink}: ${number.format(rows)} rows written`);
  // A run that read nothing is not a success to stay silent about: a wrong path, an empty topic, a drained checkpoint.
  if (result.recordsIn === 0)
    lines.push(
      '  no records were read: the input is empty (or, resuming from a checkpoint, was already read to its end)',
    );
  return lines.join('\n');
}
