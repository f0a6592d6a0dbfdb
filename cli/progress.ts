import cliProgress from 'cli-progress';
import type { Progress } from '../runners/local/index.ts';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function watermarkText(watermark: number): string {
  return Number.isFinite(watermark) ? new Date(watermark).toISOString().replace('.000Z', 'Z') : '—';
}

/** How far event time trails the wall clock: seconds for a live stream, days for replayed history. */
export function lagText(watermark: number, now = Date.now()): string {
  if (!Number.isFinite(watermark)) return '—';
  const s = Math.max(0, (now - watermark) / 1000);
  if (s < 120) return `${s.toFixed(1)}s`;
  if (s < 7_200) return `${(s / 60).toFixed(0)}min`;
  if (s < 172_800) return `${(s / 3_600).toFixed(0)}h`;
  return `${(s / 86_400).toFixed(0)}d`;
}

/**
 * Live progress on stderr: a bar when the input size is known, a status line
 * otherwise. Silent when stderr is not a terminal or with --quiet, so logs
 * and CI output stay clean.
 */
export function progressDisplay(options: { quiet: boolean; total?: number; label: string }) {
  if (options.quiet || !process.stderr.isTTY) return { update: (_p: Progress) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: options.total
        ? `${options.label} [{bar}] {percentage}% | {value}/{total} events | {rate} ev/s | batch {batch} | watermark {watermark} (lag {lag})`
        : `${options.label} {value} events | {rate} ev/s | batch {batch} | watermark {watermark} (lag {lag}) | state {state}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total ?? 0, 0, { rate: '0', batch: 0, watermark: '—', lag: '—', state: 0 });
  return {
    update(p: Progress) {
      bar.update(p.records, { rate: number.format(p.eventsPerSecond), batch: p.batch, watermark: watermarkText(p.watermark), lag: lagText(p.watermark), state: p.stateEntries });
    },
    stop: () => bar.stop(),
  };
}

/** A plain `label [bar] n/total unit` on stderr for finite work (files linted); silent off a terminal or with --quiet. */
export function countProgress(options: { quiet: boolean; total: number; label: string; unit: string }) {
  if (options.quiet || !process.stderr.isTTY || options.total < 20) return { update: (_done: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${options.label} [{bar}] {value}/{total} ${options.unit}`, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0);
  return { update: (done: number) => bar.update(done), stop: () => bar.stop() };
}
