import pc from 'picocolors';
import type { LocalRunResult, Resumed } from '../runners/local/index.ts';
import { resumedText } from './progress.ts';
import type { RunResult } from '../runners/runner.ts';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "in 40 batches"; for a resumed run, the batches it ran and where it resumed: its records count from there. */
function batchesText(batches: number, resumed: Resumed | undefined): string {
  if (!resumed) return `in ${batches} batches`;
  const ran = batches > resumed.afterBatch ? `batches ${resumed.afterBatch + 1}–${batches}` : 'no new batch';
  return `in ${ran} (${resumedText(resumed)})`;
}

/** What `idemflow run` prints when a run ends, on any runner: one job `on` its runner, or the local runner's batches. */
export function summary(
  result: RunResult & Partial<Pick<LocalRunResult, 'lost' | 'resumed'>>,
  onRunner?: string,
): string {
  const rate = (result.recordsIn * 1000) / Math.max(1, result.elapsedMs);
  const where = onRunner !== undefined ? `on ${onRunner}` : batchesText(result.batches, result.resumed);
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
