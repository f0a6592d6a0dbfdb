import cliProgress from 'cli-progress';
import type { Progress } from '../runners/local/index.ts';
import { statusLine } from './status-line.ts';

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

function bar(done: number, total: number, width = 20): string {
  const filled = Math.round(Math.min(1, done / Math.max(1, total)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor((100 * Math.min(done, total)) / Math.max(1, total))}%`;
}

/** The status text of a run: what matters first, since a narrow terminal cuts the end. */
export function progressText(label: string, p: Progress, total: number | undefined): string {
  const events = total
    ? `${number.format(p.records)}/${number.format(total)} events`
    : `${number.format(p.records)} events`;
  const parts = [
    total ? `${label} ${bar(p.records, total)}` : label,
    events,
    `${number.format(p.eventsPerSecond)} ev/s`,
    `batch ${p.batch}`,
    `watermark ${watermarkText(p.watermark)} (lag ${lagText(p.watermark)})`,
  ];
  if (!total) parts.push(`state ${p.stateEntries}`);
  return parts.join(' | ');
}

/**
 * Live progress on stderr: a bar when the input size is known, a status line
 * otherwise, with log lines (crash, resume, faults) printed above it. Silent
 * when stderr is not a terminal or with --quiet, so logs and CI output stay
 * clean; `log` then just writes the line.
 */
export function progressDisplay(options: { quiet: boolean; total?: number; label: string }) {
  const plainLog = (line: string) => void process.stderr.write(`${line}\n`);
  if (options.quiet || !process.stderr.isTTY) return { update: (_p: Progress) => {}, log: plainLog, stop: () => {} };
  const status = statusLine(process.stderr);
  status.set(
    progressText(
      options.label,
      { batch: 0, records: 0, eventsPerSecond: 0, watermark: -Infinity, stateEntries: 0 },
      options.total,
    ),
  );
  return {
    update: (p: Progress) => status.set(progressText(options.label, p, options.total)),
    log: (line: string) => status.log(line),
    stop: () => status.stop(),
  };
}

/** A plain `label [bar] n/total unit` on stderr for finite work (files linted); silent off a terminal or with --quiet. */
export function countProgress(options: { quiet: boolean; total: number; label: string; unit: string }) {
  if (options.quiet || !process.stderr.isTTY || options.total < 20)
    return { update: (_done: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${options.label} [{bar}] {value}/{total} ${options.unit}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0);
  return { update: (done: number) => bar.update(done), stop: () => bar.stop() };
}
