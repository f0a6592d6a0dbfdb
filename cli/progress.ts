import type { Progress, Resumed } from '../runners/local/index.ts';
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

/** A resumed run's place in its input: "resumed at record 1,500" (or after a batch, from a checkpoint that does not count records). */
export function resumedText(resumed: Resumed): string {
  return resumed.records !== undefined
    ? `resumed at record ${number.format(resumed.records)}`
    : `resumed after batch ${resumed.afterBatch}`;
}

/**
 * The status text of a run: what matters first, since a narrow terminal cuts
 * the end. A resumed run counts the input from its start (the records its
 * checkpoint says were read before), so its bar goes on from where the last
 * run stopped and ends at 100 %, and it says where it resumed.
 */
export function progressText(label: string, p: Progress, total: number | undefined): string {
  const done = p.recordsRead ?? p.records;
  const events = total ? `${number.format(done)}/${number.format(total)} events` : `${number.format(done)} events`;
  const parts = [
    total ? `${label} ${bar(done, total)}` : label,
    p.resumed ? `${events}, ${resumedText(p.resumed)}` : events,
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

/**
 * A `label [bar] n% | done/total unit` line on stderr for finite work (files
 * linted), on the same status line as a run: log lines print above it, whole,
 * and it is cut to the terminal's width. The cursor stays shown: lint works
 * synchronously, so a signal handler would run only once all the files were
 * read (Ctrl-C would wait for them); without one, Ctrl-C ends the process at
 * once, with no JavaScript left to show a hidden cursor again.
 * Silent off a terminal, with --quiet, or for fewer than 20 items.
 */
export function countProgress(options: { quiet: boolean; total: number; label: string; unit: string }) {
  const plainLog = (line: string) => void process.stderr.write(`${line}\n`);
  if (options.quiet || !process.stderr.isTTY || options.total < 20)
    return { update: (_done: number) => {}, log: plainLog, stop: () => {} };
  const status = statusLine(process.stderr, { hideCursor: false });
  const text = (done: number) =>
    `${options.label} ${bar(done, options.total)} | ${number.format(done)}/${number.format(options.total)} ${options.unit}`;
  status.set(text(0));
  return {
    update: (done: number) => status.set(text(done)),
    log: (line: string) => status.log(line),
    stop: () => status.stop(),
  };
}
