/**
 * `npm run bench -- faults`: the long half of the fault campaign, on the
 * real Kafka and Cassandra. Random schedules (crashes, lost acknowledgements,
 * failed writes, duplicates, in-flight losses, inputs ending on batch
 * boundaries, a repair at a random moment and the stream resumed) over the
 * recommended pipelines, each checked against a truth counted by hand. A
 * violation prints its schedule, which `IDEMFLOW_CAMPAIGN_SCHEDULE` replays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Client } from 'cassandra-driver';
import { cassandra as cassandraServer } from '../scripts/servers/cassandra.ts';
import { kafka as kafkaServer } from '../scripts/servers/kafka.ts';
import { upAll } from '../scripts/servers/main.ts';
import { cassandraPort, host, kafkaPort } from '../scripts/servers/config.ts';
import { newSorLayout, type SorLayout } from '../connectors/cassandra/sor-layout.ts';
import { cassandraTarget } from './faults/cassandra-target.ts';
import { runSchedule, type CrashPoint } from './faults/run-schedule.ts';
import { describeSchedule, scheduleArbitrary, stateLayoutOf, type Schedule } from './faults/schedule.ts';

interface Tally {
  schedules: number;
  violations: number;
  crashes: number;
  lostAcks: number;
  midStreamRepairs: number;
  kills: number;
  refusedRepairs: number;
  onBoundary: number;
  idleStops: number;
  byShape: Map<string, number>;
  /** Crash points that struck, by input kind. */
  byInput: Map<string, Partial<Record<CrashPoint, number>>>;
  /** Schedules, crashes struck and SIGKILLs, by where the keyed state lived (see `stateLayoutOf`). */
  byLayout: Map<string, { schedules: number; crashes: number; kills: number }>;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

function count(t: Tally, s: Schedule, outcome: Awaited<ReturnType<typeof runSchedule>>): void {
  t.schedules++;
  t.crashes += outcome.crashes;
  t.lostAcks += outcome.lostAcks;
  if (s.repairAfter !== undefined) t.midStreamRepairs++;
  if (s.kill) t.kills++;
  t.refusedRepairs += outcome.refusedRepairs;
  t.idleStops += outcome.idleStops;
  if (s.events % s.batchSize === 0) t.onBoundary++;
  const shape = `${s.shape.input} ${s.shape.window} ${s.shape.emit}${s.shape.eventTimeFirst ? ' (event time first)' : ''}`;
  t.byShape.set(shape, (t.byShape.get(shape) ?? 0) + 1);
  const points = t.byInput.get(s.shape.input) ?? {};
  for (const [point, n] of Object.entries(outcome.points) as [CrashPoint, number][])
    points[point] = (points[point] ?? 0) + n;
  t.byInput.set(s.shape.input, points);
  const layout = t.byLayout.get(stateLayoutOf(s)) ?? { schedules: 0, crashes: 0, kills: 0 };
  layout.schedules++;
  layout.crashes += outcome.crashes;
  if (s.kill) layout.kills++;
  t.byLayout.set(stateLayoutOf(s), layout);
  if (outcome.violations.length > 0) {
    t.violations++;
    say(`VIOLATION\n  ${outcome.violations.join('\n  ')}\n  schedule: ${describeSchedule(s)}`);
  }
}

const crashPoints: readonly CrashPoint[] = ['mid-batch', 'after-checkpoint', 'mid-append', 'SIGKILL'];

function report(t: Tally, seconds: number): string {
  const lines = [
    '| schedules | violations | crashes struck (in-process and SIGKILL) | schedules with a SIGKILL | lost acks | mid-stream repairs (refused: archive past the checkpoint) | inputs ending on a batch boundary | seconds |',
    '|---|---|---|---|---|---|---|---|',
    `| ${t.schedules} | ${t.violations} | ${t.crashes} | ${t.kills} | ${t.lostAcks} | ${t.midStreamRepairs} (${t.refusedRepairs}) | ${t.onBoundary} | ${seconds.toFixed(0)} |`,
    '',
    `Kafka runs that stopped idle (1.5 s) with records unread, and went on: ${t.idleStops}`,
    '',
    `| input | ${crashPoints.join(' | ')} |`,
    `|---|${crashPoints.map(() => '---|').join('')}`,
    ...[...t.byInput].sort().map(([input, p]) => `| ${input} | ${crashPoints.map((c) => p[c] ?? 0).join(' | ')} |`),
    '',
    '| keyed state | schedules | crashes struck | schedules with a SIGKILL |',
    '|---|---|---|---|',
    ...[...t.byLayout].sort().map(([layout, n]) => `| ${layout} | ${n.schedules} | ${n.crashes} | ${n.kills} |`),
    '',
    '| pipeline shape | schedules |',
    '|---|---|',
    ...[...t.byShape].sort().map(([shape, n]) => `| ${shape} | ${n} |`),
  ];
  return lines.join('\n');
}

export async function benchFaults(options: { seeds?: number }): Promise<string> {
  const total = options.seeds ?? 1_000;
  await upAll([kafkaServer, cassandraServer]);
  const client = new Client({ contactPoints: [`${host}:${cassandraPort}`], localDataCenter: 'datacenter1' });
  await client.connect();
  const keyspace = process.env.IDEMFLOW_CAMPAIGN_KEYSPACE ?? 'idemflow_campaign';
  await client.execute(
    `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'idemflow-campaign-'));
  // The layout of the system-of-record tables: the deflated blocks idemflow makes, or the text blocks or rows of older versions.
  const asked = process.env.IDEMFLOW_CAMPAIGN_SOR_LAYOUT;
  const sorLayout: SorLayout = asked === 'rows' || asked === 'blocks' ? asked : newSorLayout;
  // Schedules mostly wait on the servers (group joins, acknowledgements): a few run side by side, each in its own tables and folder.
  const slots = Number(process.env.IDEMFLOW_CAMPAIGN_CONCURRENCY ?? 4);
  const seed = Number(process.env.IDEMFLOW_CAMPAIGN_SEED ?? Date.now() % 1_000_000);
  const replay = process.env.IDEMFLOW_CAMPAIGN_SCHEDULE;
  const schedules: Schedule[] = replay
    ? [JSON.parse(replay) as Schedule]
    : fc.sample(scheduleArbitrary(['kafka', 'file', 'socket'], true), { numRuns: total, seed });
  say(
    `fault campaign: ${schedules.length} schedules (seed ${seed}) on Kafka ${host}:${kafkaPort} and Cassandra ${host}:${cassandraPort}, system of record in the ${sorLayout} layout`,
  );
  const campaign: Campaign = {
    schedules,
    next: 0,
    tally: emptyTally(),
    started: performance.now(),
    client,
    keyspace,
    dir,
    runId: Date.now().toString(36),
    sorLayout,
  };
  try {
    await Promise.all(Array.from({ length: slots }, (_, slot) => worker(campaign, slot)));
  } finally {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
  say(report(campaign.tally, (performance.now() - campaign.started) / 1000));
  return `faults: ${campaign.tally.schedules} schedules, ${campaign.tally.violations} violations`;
}

const emptyTally = (): Tally => ({
  schedules: 0,
  violations: 0,
  crashes: 0,
  lostAcks: 0,
  midStreamRepairs: 0,
  kills: 0,
  refusedRepairs: 0,
  onBoundary: 0,
  idleStops: 0,
  byShape: new Map(),
  byInput: new Map(),
  byLayout: new Map(),
});

/** The campaign's schedules, which worker slots take in turn, and what they tallied. */
interface Campaign {
  readonly schedules: readonly Schedule[];
  next: number;
  readonly tally: Tally;
  readonly started: number;
  readonly client: Client;
  readonly keyspace: string;
  readonly dir: string;
  readonly runId: string;
  readonly sorLayout: SorLayout;
}

/** One slot: takes the next schedule until none is left, in its own tables and folder. */
async function worker(campaign: Campaign, slot: number): Promise<void> {
  const { schedules, tally, started } = campaign;
  const target = cassandraTarget({
    client: campaign.client,
    contactPoint: `${host}:${cassandraPort}`,
    keyspace: campaign.keyspace,
    brokers: [`${host}:${kafkaPort}`],
    dir: join(campaign.dir, String(slot)),
    runId: campaign.runId,
    slot,
    sorLayout: campaign.sorLayout,
  });
  while (campaign.next < schedules.length) {
    const s = schedules[campaign.next++]!;
    count(
      tally,
      s,
      await runSchedule(s, target).catch((error: unknown) => ({
        violations: [`the run failed: ${error instanceof Error ? error.message : String(error)}`],
        crashes: 0,
        points: {},
        lostAcks: 0,
        late: 0,
        refusedRepairs: 0,
        idleStops: 0,
      })),
    );
    // The whole report every 100 schedules: a run stopped early (Ctrl-C, a deadline) still leaves its figures.
    if (tally.schedules % 100 === 0) say(report(tally, (performance.now() - started) / 1000));
    else if (tally.schedules % 10 === 0)
      say(
        `  ${tally.schedules}/${schedules.length} schedules, ${tally.violations} violations, ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
  }
}
