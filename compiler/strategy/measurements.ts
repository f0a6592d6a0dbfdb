import { existsSync, readFileSync } from 'node:fs';
import { packageFile } from '../package-files.ts';
import type { StrategyId } from './cheat-sheet.ts';

/** The committed results of the last `npm run bench -- strategies`: what docs and `check --explain` cite. */
export const resultsFile = packageFile('bench', 'results', 'strategies.json');

/** Over- and under-count of a sink table against the truth, row by row. */
export interface Accuracy {
  readonly total: number;
  readonly truthTotal: number;
  /** Sum over rows of what the table holds beyond the truth. */
  readonly over: number;
  /** Sum over rows of what the table misses (rows absent count whole). */
  readonly under: number;
  /** (total − truth) / truth, in percent. */
  readonly errorPct: number;
  readonly exactRows: number;
  readonly rows: number;
}

export interface TrialFaults {
  /** Share of CQL write acknowledgements the proxy swallows after the write landed. */
  readonly lostAcks: number;
  /** Share of records lost at the queue, before a socket receiver (socket rows only). */
  readonly queueLoss: number;
  /** Share of records the queue delivers twice. */
  readonly duplicates: number;
  /** Kill the runner with SIGKILL at a random batch, then restart it. */
  readonly crash: boolean;
}

/** One strategy under one seed's faults, measured on the real servers. */
export interface TrialResult {
  readonly seed: number;
  readonly truthEvents: number;
  readonly before: Accuracy;
  /** After the repair job, for pipelines with a system of record. */
  readonly after?: Accuracy;
  /** Records a second of the last run, from its input being ready to its end (the speed pass runs once, without faults). */
  readonly eventsPerSecond: number;
  /** From the SIGKILL to the restarted runner's first committed batch. */
  readonly recoveryMs?: number;
  readonly killedAtBatch?: number;
  /** Logical bytes of each Cassandra table the pipeline writes (sum of stored values). */
  readonly storage: Readonly<Record<string, number>>;
  /** The WAL's peak size on disk. */
  readonly walPeakBytes: number;
  readonly swallowedAcks: number;
  readonly queueLost: number;
  readonly duplicated: number;
}

export interface StrategyResults {
  readonly generatedAt: string;
  readonly events: number;
  readonly speedEvents: number;
  readonly seeds: number;
  readonly faults: TrialFaults;
  readonly strategies: Partial<
    Record<StrategyId, { readonly speed: TrialResult; readonly trials: readonly TrialResult[] }>
  >;
}

export interface Spread {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** One cheat-sheet row, measured: the figures the docs, the chart and `check --explain` show. */
export interface MeasuredRow {
  readonly eventsPerSecond: number;
  /** Signed error of the final totals against the truth, in percent, before any repair. */
  readonly errorBefore: Spread;
  /** The same after the repair job; absent for rows without a system of record. */
  readonly errorAfter?: Spread;
  /** Over- and under-count before repair, in percent of the truth (means over seeds). */
  readonly overPct: number;
  readonly underPct: number;
  /** Events missing from the final totals (after repair where there is one), mean over seeds. */
  readonly eventsLost: number;
  /** Events lost at the queue before the receiver, mean over seeds (socket rows). */
  readonly queueLost: number;
  /** Seeds whose final totals (after repair where there is one) were exact in every row. */
  readonly exactSeeds: number;
  readonly seeds: number;
  /** Median time from the SIGKILL to the restarted runner's first committed batch. */
  readonly recoveryMs?: number;
  /** Mean logical bytes by table, and the WAL's mean peak on disk. */
  readonly storageBytes: Readonly<Record<string, number>>;
  readonly walPeakBytes: number;
}

const spread = (xs: readonly number[]): Spread => ({
  mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  min: Math.min(...xs),
  max: Math.max(...xs),
});
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? undefined
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function summarize(entry: {
  readonly speed: TrialResult;
  readonly trials: readonly TrialResult[];
}): MeasuredRow {
  const { trials } = entry;
  const final = (t: TrialResult) => t.after ?? t.before;
  const tables = [...new Set(trials.flatMap((t) => Object.keys(t.storage)))];
  const recovery = median(trials.flatMap((t) => (t.recoveryMs === undefined ? [] : [t.recoveryMs])));
  return {
    eventsPerSecond: entry.speed.eventsPerSecond,
    errorBefore: spread(trials.map((t) => t.before.errorPct)),
    ...(trials.every((t) => t.after) ? { errorAfter: spread(trials.map((t) => t.after!.errorPct)) } : {}),
    overPct: mean(trials.map((t) => (t.before.over / t.before.truthTotal) * 100)),
    underPct: mean(trials.map((t) => (t.before.under / t.before.truthTotal) * 100)),
    eventsLost: mean(trials.map((t) => final(t).under)),
    queueLost: mean(trials.map((t) => t.queueLost)),
    exactSeeds: trials.filter((t) => final(t).over === 0 && final(t).under === 0).length,
    seeds: trials.length,
    ...(recovery === undefined ? {} : { recoveryMs: recovery }),
    storageBytes: Object.fromEntries(tables.map((table) => [table, mean(trials.map((t) => t.storage[table] ?? 0))])),
    walPeakBytes: mean(trials.map((t) => t.walPeakBytes)),
  };
}

/** The committed results, if any: `check --explain` works without them, it just has no measurements to show. */
export function readResults(file = resultsFile): StrategyResults | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StrategyResults;
}
