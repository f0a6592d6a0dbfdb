import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strategies, type Strategy, type StrategyId } from '../../compiler/strategy/cheat-sheet.ts';
import { summarize, type MeasuredRow, type StrategyResults } from '../../compiler/strategy/measurements.ts';
import { accuracySpeedChart } from './svg-chart.ts';

const seedsARow = (n: number) => `${n} seed${n === 1 ? '' : 's'} a row`;

const docsDir = fileURLToPath(new URL('../../docs/', import.meta.url));
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct = (n: number) => `${n > 0 ? '+' : ''}${n.toFixed(2)}%`;
const spreadText = (s: { mean: number; min: number; max: number }) => `${pct(s.mean)} (${pct(s.min)} … ${pct(s.max)})`;
const bytes = (n: number) =>
  n >= 1_048_576
    ? `${(n / 1_048_576).toFixed(1)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${int.format(n)} B`;

/** The final figure of a row: after repair where the row has a system of record. */
const finalError = (row: MeasuredRow) => row.errorAfter ?? row.errorBefore;

interface Verdict {
  readonly agrees: boolean;
  /** Too close to the class line for one run to decide: the next run may land on the other side. */
  readonly borderline?: boolean;
  readonly text: string;
}

/** Why a row still misses events after repair: what the queue lost, and what the crash took beyond it. */
function lossCause(row: MeasuredRow, faults: StrategyResults['faults']): string {
  const queue = row.queueLost;
  const crash = Math.max(0, row.eventsLost - queue);
  const parts: string[] = [];
  if (queue > 0)
    parts.push(
      `${queue.toFixed(1)} events a trial lost at the queue (${(faults.queueLoss * 100).toFixed(1)}%) never reached the system of record`,
    );
  if (crash > 0.5)
    parts.push(
      `${crash.toFixed(1)} more were received but not yet archived when the runner was killed (in the receiver's memory, or in the TCP connection), so nothing can replay them`,
    );
  return parts.length > 0 ? parts.join('; ') : 'see the trials';
}

/** The guide's accuracy claim for a row against what was measured. */
function accuracyVerdict(
  s: Strategy,
  row: MeasuredRow,
  plain: MeasuredRow | undefined,
  faults: StrategyResults['faults'],
): Verdict {
  const final = finalError(row);
  const exact = row.exactSeeds === row.seeds;
  const where = row.errorAfter ? 'after repair' : 'with no repair possible';
  if (s.accuracy === 'inaccurate') {
    return exact
      ? { agrees: false, text: `exact in every seed ${where}: the faults did not hurt it` }
      : { agrees: true, text: `${final.mean > 0 ? 'overcounts' : 'undercounts'} ${spreadText(final)} ${where}` };
  }
  if (s.accuracy === 'more accurate') {
    const better = plain !== undefined && Math.abs(final.mean) < Math.abs(finalError(plain).mean);
    const left =
      final.mean > 0
        ? `queue duplicates (${(faults.duplicates * 100).toFixed(1)}%) are counted: nothing deduplicates by event id`
        : `records lost before the receiver (${(faults.queueLoss * 100).toFixed(1)}%) stay lost`;
    return {
      agrees: better && !exact,
      text: `${spreadText(final)}: ${better ? 'closer to the truth than plain aggregates' : 'not closer than plain aggregates'}; ${exact ? 'exact' : left}`,
    };
  }
  // permanently / highly accurate: the system-of-record rows.
  if (exact)
    return {
      agrees: true,
      text: `exact after repair in ${row.exactSeeds}/${row.seeds} seeds (before repair ${spreadText(row.errorBefore)})`,
    };
  const cause = lossCause(row, faults);
  return {
    agrees: false,
    text: `after repair ${spreadText(final)}, exact in ${row.exactSeeds}/${row.seeds} seeds: ${cause}`,
  };
}

/** Fast: at least this share of the fastest row's events/s. */
const fastLine = 0.6;
/** Speed passes of one row spread by about this much on this machine, so a ratio this close to the line is a toss-up. */
const borderlineBand = 0.05;

export function speedVerdict(
  s: Pick<Strategy, 'speed'>,
  row: Pick<MeasuredRow, 'eventsPerSecond'>,
  fastest: number,
): Verdict {
  const ratio = row.eventsPerSecond / fastest;
  const measured = ratio >= fastLine ? 'fast' : 'slow';
  const claimed = s.speed === 'fast' ? 'fast' : 'slow';
  const borderline = Math.abs(ratio - fastLine) < borderlineBand;
  return {
    agrees: measured === claimed,
    borderline,
    text: `${int.format(row.eventsPerSecond)} events/s, ${ratio.toFixed(2)}× the fastest row${borderline ? `, within ${borderlineBand} of the ${fastLine} line (another run may class it the other way)` : ''}`,
  };
}

/** The mark before a verdict: a borderline one says so instead of claiming agreement or refutation. */
export function verdictMark(v: Verdict): string {
  if (v.borderline) return v.agrees ? '≈ agrees, borderline' : '≈ refutes, borderline';
  return v.agrees ? '✔ agrees' : '✘ refutes';
}

function storageText(row: MeasuredRow): string {
  const tables = Object.entries(row.storageBytes).map(([t, b]) => `${t} ${bytes(b)}`);
  if (row.walPeakBytes > 0) tables.push(`WAL peak ${bytes(row.walPeakBytes)}`);
  return tables.join(', ');
}

/** Regenerates docs/cheat-sheet.md and docs/cheat-sheet.svg from a benchmark run's results. */
export function writeCheatSheet(results: StrategyResults, dir = docsDir): void {
  const ids = (Object.keys(strategies) as StrategyId[]).filter((id) => results.strategies[id]);
  const rows = new Map(ids.map((id) => [id, summarize(results.strategies[id]!)]));
  const out = [
    ...introLines(results),
    ...tableLines(ids, rows),
    ...verdictLines(ids, rows, results.faults),
    ...howToRead,
  ];
  writeFileSync(join(dir, 'cheat-sheet.md'), `${out.join('\n')}\n`);
  const points = ids.map((id) => {
    const r = rows.get(id)!;
    return {
      label: id,
      eventsPerSecond: r.eventsPerSecond,
      error: finalError(r),
      repaired: r.errorAfter !== undefined,
    };
  });
  writeFileSync(
    join(dir, 'cheat-sheet.svg'),
    accuracySpeedChart(
      points,
      `The cheat sheet of Real Time Analytics with Spark Streaming and Cassandra, measured (${results.seeds} fault schedules a row)`,
    ),
  );
}

/** The page's title and what every trial ran under. */
function introLines(results: StrategyResults): string[] {
  const f = results.faults;
  const out: string[] = [];
  out.push('# The cheat sheet, measured');
  out.push('');
  out.push('<!-- Generated by `npm run bench -- strategies` (bench/strategies.ts); do not edit by hand. -->');
  out.push('');
  out.push(
    `Every row of the cheat sheet of *Real Time Analytics with Spark Streaming and Cassandra* ("the guide" below), as the pipeline in \`pipelines/strategies/<row>.ts\`, run by the local runner on the real Kafka and Cassandra (started by \`scripts/services\`), ${seedsARow(results.seeds)}, ${int.format(results.events)} events a trial, against a ground truth counted by hand. Generated ${results.generatedAt.slice(0, 10)}; reproduce with \`npm run bench -- strategies\`.`,
  );
  out.push('');
  out.push("Faults in every trial, drawn from the trial's seed:");
  out.push(
    `- ${(f.lostAcks * 100).toFixed(1)}% of CQL write acknowledgements swallowed by a proxy after the write landed (the sink retries; the driver times out after 1 s);`,
  );
  out.push(`- the runner killed with SIGKILL at a random batch, then restarted from its checkpoint;`);
  out.push(
    `- ${(f.queueLoss * 100).toFixed(1)}% of records lost at the queue before a socket receiver (socket rows), and ${(f.duplicates * 100).toFixed(1)}% delivered twice (all rows);`,
  );
  out.push('- then the repair job (`idemflow repair`), for rows with a system of record.');
  out.push('');
  out.push(
    `Throughput comes from separate speed passes of ${int.format(results.speedEvents)} events without faults, the median of three (socket senders as fast as the receiver reads).`,
  );
  out.push('');
  out.push('![accuracy against speed](cheat-sheet.svg)');
  out.push('');
  return out;
}

/** One table row a strategy: the measured figures. */
function tableLines(ids: readonly StrategyId[], rows: ReadonlyMap<StrategyId, MeasuredRow>): string[] {
  const out: string[] = [];
  out.push(
    '| row | throughput | error before repair | after repair | over / under | events lost | exact seeds | recovery | storage |',
  );
  out.push('| --- | ---: | --- | --- | --- | ---: | ---: | ---: | --- |');
  for (const id of ids) {
    const r = rows.get(id)!;
    out.push(
      `| \`${id}\` | ${int.format(r.eventsPerSecond)}/s | ${spreadText(r.errorBefore)} | ${r.errorAfter ? spreadText(r.errorAfter) : '— (no system of record)'} | +${r.overPct.toFixed(2)}% / −${r.underPct.toFixed(2)}% | ${r.eventsLost.toFixed(1)} | ${r.exactSeeds}/${r.seeds} | ${r.recoveryMs === undefined ? '—' : `${(r.recoveryMs / 1000).toFixed(1)} s`} | ${storageText(r)} |`,
    );
  }
  return out;
}

/** Row by row, the guide's verdicts beside the measured ones, and how many of its claims the measurements agree with. */
function verdictLines(
  ids: readonly StrategyId[],
  rows: ReadonlyMap<StrategyId, MeasuredRow>,
  f: StrategyResults['faults'],
): string[] {
  const fastest = Math.max(...[...rows.values()].map((r) => r.eventsPerSecond));
  const out: string[] = [];
  out.push('');
  out.push("## Row by row: the guide's verdict beside the measured one");
  const plain = rows.get('aggregates');
  let agreements = 0;
  let claims = 0;
  let borderlines = 0;
  for (const id of ids) {
    const s = strategies[id];
    const r = rows.get(id)!;
    const accuracy = accuracyVerdict(s, r, plain, f);
    const speed = speedVerdict(s, r, fastest);
    agreements += Number(accuracy.agrees) + Number(speed.agrees);
    borderlines += Number(speed.borderline === true);
    claims += 2;
    out.push('');
    out.push(`### \`${id}\` — ${s.title}`);
    out.push(`- **The guide:** ${s.verdict}`);
    out.push(`- **Accuracy** (guide: ${s.accuracy}) — ${verdictMark(accuracy)}: ${accuracy.text}.`);
    out.push(`- **Speed** (guide: ${s.speed}) — ${verdictMark(speed)}: ${speed.text}.`);
    out.push(`- **Storage** (guide: ${s.storage}): ${storageText(r)}.`);
    if (r.recoveryMs !== undefined)
      out.push(
        `- **Recovery** after SIGKILL: ${(r.recoveryMs / 1000).toFixed(1)} s to the first committed batch (median).`,
      );
  }
  out.push('');
  const close = borderlines > 0 ? ` (${borderlines} of the speed verdicts borderline)` : '';
  out.push(`Of the ${claims} accuracy and speed claims, the measurements agree with ${agreements}${close}.`);
  return out;
}

/** The closing notes on how to read the figures. */
const howToRead: readonly string[] = [
  '',
  '## How to read it',
  '- *error* is (total counted − truth) / truth over all rows of the sink table; *over / under* split it row by row, so a row that overcounts cannot hide a row that undercounts.',
  '- *storage* is the logical size of each table (the bytes of its stored values, keys included), which does not depend on when Cassandra flushes or compacts; the WAL figure is its peak size on disk.',
  "- *recovery* runs from the SIGKILL to the restarted runner's first committed batch: process start, reconnects, and for Kafka rows the consumer group's join (the restart removes the member its killed predecessor left once its own join waits in the group, instead of waiting 30 s for that member's session to time out; the group is never empty, so a stock broker's 3 s initial rebalance delay does not apply either). A restarted runner that finds nothing left to read (a plain receiver whose whole backlog died with it) records none.",
  "- A plain socket receiver loses, on a crash, what it had received but not processed and what was in the TCP connection; loopback buffers hold hundreds of kilobytes, so a row that falls behind the sender (the system-of-record rows write every event, and retry whole batches after a lost acknowledgement) loses much more than one that keeps up. That is the receiver's nature, which the WAL rows show is fixed by logging on receipt.",
  '- The speed classes compare rows with each other (fast: at least 0.6× the fastest row), on this 2-core machine; absolute figures depend on it. A ratio within 0.05 of that line is marked *borderline*: the speed passes of one row spread by about as much, so another run may class it the other way.',
];
