import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pc from 'picocolors';
import { compile } from '../../compiler/index.ts';
import { EmbeddedStore } from '../../connectors/embedded/store.ts';
import { demoEvents } from '../../pipelines/demo/sensor-events.ts';
import { embeddedRepairTarget, parseFaults, repair, runWithRestarts } from '../../runners/local/index.ts';
import type { FaultSpec } from '../../runtime/faults.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import { packageFile } from '../../compiler/package-files.ts';
import { loadPipelines } from '../load-pipelines.ts';

// The demo's pipelines ship as TypeScript, for users to read; they load as users' pipelines do.
const demoDir = packageFile('pipelines', 'demo');
const number = new Intl.NumberFormat('en-US');
const minute = 60_000;
const out = (s = '') => process.stdout.write(`${s}\n`);

/** The truth, by a hand loop over the same generated events: count per (sensor, minute). */
function groundTruth(): Map<string, number> {
  const truth = new Map<string, number>();
  for (let i = 0; i < demoEvents.count; i++) {
    const { event } = generatedEvent(
      { ...demoEvents, startTs: Date.UTC(2024, 0, 1), lateFraction: 0, duplicateFraction: 0 },
      i,
    );
    const id = JSON.stringify([event.sensorId, Math.floor(event.ts / minute) * minute]);
    truth.set(id, (truth.get(id) ?? 0) + 1);
  }
  return truth;
}

interface Tally {
  readonly total: number;
  readonly exactRows: number;
}

function tally(store: EmbeddedStore, table: string, truth: Map<string, number>): Tally {
  let total = 0;
  let exactRows = 0;
  for (const { key, columns } of store.table({ table }).rows()) {
    const n = Number(columns.measurements ?? 0);
    total += n;
    if (truth.get(JSON.stringify(key)) === n) exactRows++;
  }
  return { total, exactRows };
}

function line(label: string, t: Tally, truthTotal: number, rows: number): string {
  const diff = t.total - truthTotal;
  const pct = ((diff / truthTotal) * 100).toFixed(2);
  const verdict =
    diff === 0 && t.exactRows === rows
      ? pc.green('exact')
      : diff > 0
        ? pc.red(`+${pct}% overcount`)
        : pc.yellow(`${pct}% undercount`);
  return `  ${label.padEnd(40)} ${number.format(t.total).padStart(8)}   ${`${t.exactRows}/${rows}`.padStart(9)}   ${verdict}`;
}

export async function demoAction(flags: { seed: number; faults: string }): Promise<void> {
  const faults = parseFaults(flags.faults);
  const dir = mkdtempSync(join(tmpdir(), 'idemflow-demo-'));
  try {
    const truth = groundTruth();
    const truthTotal = [...truth.values()].reduce((a, b) => a + b, 0);
    out(
      pc.bold(
        `idemflow demo: ${number.format(demoEvents.count)} sensor readings, ${demoEvents.keys} sensors, counted per sensor and minute`,
      ),
    );
    out(pc.dim(`faults: ${flags.faults} (seed ${flags.seed}); embedded store in ${dir}`));
    out();
    const results: [string, Tally][] = [];
    for (const [file, table] of [
      ['sensor-counters.ts', 'sensor_counters'],
      ['sensor-aggregates.ts', 'sensor_counts'],
    ] as const) {
      results.push(...(await demoPipeline(join(demoDir, file), table, { dir, faults, seed: flags.seed, truth })));
      out();
    }
    out(pc.bold(`  ${'strategy'.padEnd(40)} ${'total'.padStart(8)}   ${'rows ok'.padStart(9)}   verdict`));
    out(
      `  ${'truth (hand count)'.padEnd(40)} ${number.format(truthTotal).padStart(8)}   ${`${truth.size}/${truth.size}`.padStart(9)}`,
    );
    for (const [label, t] of results) out(line(label, t, truthTotal, truth.size));
    out();
    out('Counters add a delta on every retry and replay, and nothing can find or undo the excess.');
    out(
      'Whole aggregates under deterministic keys converge, and repair from the system of record restores what was lost.',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface DemoRun {
  readonly dir: string;
  readonly faults: FaultSpec;
  readonly seed: number;
  readonly truth: Map<string, number>;
}

/** One demo pipeline: checked, run under the faults with restarts after each crash, then repaired when it can be. */
async function demoPipeline(file: string, table: string, run: DemoRun): Promise<[string, Tally][]> {
  const { dir, truth } = run;
  const [loaded] = await loadPipelines(file);
  const ir = loaded!.pipeline.ir;
  const { classification, diagnostics } = compile(ir);
  out(`${pc.bold(ir.name)} — strategy ${pc.bold(classification.strategy.id)}: ${classification.strategy.title}`);
  for (const d of diagnostics.filter((x) => x.severity === 'error'))
    out(`  ${pc.red('check:')} ${d.code} ${d.message}`);
  if (!diagnostics.some((d) => d.severity === 'error')) out(`  ${pc.green('check:')} no errors`);
  const storeDir = join(dir, 'store');
  const { result, crashes, store } = await runWithRestarts(ir, {
    storeDir,
    checkpointDir: join(dir, 'checkpoints', ir.name),
    faults: run.faults,
    seed: run.seed,
    sleep: async () => {},
    log: () => {},
    onCrash: (batch) => out(`  ${pc.red('✗ crash')} in batch ${batch}; restarting from the last checkpoint`),
  });
  out(
    `  ran ${result.batches} batches: ${result.replays} batch replays after failed writes, ${result.lost} readings lost in flight, ${crashes.length} crash`,
  );
  const results: [string, Tally][] = [[`${ir.name}`, tally(store, table, truth)]];
  if (ir.sink.mode === 'counter') {
    out(`  repair: refused — a counter cannot be repaired by rewriting (IDEM001)`);
    return results;
  }
  const r = await repair(ir, { target: embeddedRepairTarget(new EmbeddedStore(storeDir)) });
  out(
    `  ${pc.green('repair')} from ${r.systemOfRecord}: ${r.events} events, ${r.checked} rows checked, ${r.corrected} corrected`,
  );
  results.push([`${ir.name} after repair`, tally(new EmbeddedStore(storeDir), table, truth)]);
  return results;
}
