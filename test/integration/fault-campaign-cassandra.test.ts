import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cassandraTarget } from '../../bench/faults/cassandra-target.ts';
import { runSchedule } from '../../bench/faults/run-schedule.ts';
import { describeSchedule, scheduleArbitrary } from '../../bench/faults/schedule.ts';
import { sorLayout } from '../../connectors/cassandra/sor-layout.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { brokers, cassandraClient, contactPoint, runId } from './servers.ts';

/**
 * The long half of the fault campaign (`npm run bench -- faults`), a few of
 * its schedules at a time, on the real Kafka and Cassandra, with the system
 * of record in the deflated block layout idemflow makes and in the text
 * block and row layouts of older versions: crashes inside a batch's writes, a SIGKILL of a child
 * process, lost acknowledgements and failed writes, a repair in the middle of
 * the stream and the stream resumed, then the final repair. Invariants, as in
 * the campaign: every event in the system of record once by id, every sink
 * row equal to a truth counted by hand after the repair, a resumed stream
 * that does not undo a repair.
 */
const seed = 15;
const schedules = fc.sample(scheduleArbitrary(['kafka', 'file', 'socket'], true), { numRuns: 4, seed });

describe('fault campaign schedules on the real servers, over each layout of the system of record', () => {
  it('the schedules strike what the issue asks for: SIGKILLs, crashes mid-batch, a mid-stream repair, every input', () => {
    expect(schedules.filter((s) => s.kill).length).toBeGreaterThanOrEqual(2);
    expect(schedules.filter((s) => s.faults.crashAt.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(schedules.filter((s) => s.repairAfter !== undefined).length).toBeGreaterThanOrEqual(1);
    expect(new Set(schedules.map((s) => s.shape.input))).toEqual(new Set(['kafka', 'file', 'socket']));
  });

  for (const layout of ['deflated-blocks', 'blocks', 'rows'] as const)
    it(`${layout}: ${schedules.length} schedules end with 0 violations, repair exact over that layout`, async () => {
      const client = await cassandraClient();
      // A keyspace of its own: the campaign names its tables by pipeline shape, which another run would share.
      const keyspace = `idemflow_fc_${runId()}`;
      await client.execute(
        `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      );
      try {
        const target = cassandraTarget({
          client,
          contactPoint,
          keyspace,
          brokers,
          dir: tempDir(),
          runId: runId(),
          slot: 0,
          sorLayout: layout,
        });
        for (const schedule of schedules) {
          const outcome = await runSchedule(schedule, target);
          expect(outcome.violations, describeSchedule(schedule)).toEqual([]);
          // The schedule ran over the layout asked for: the writer and the readers kept to it.
          const tables = await client.execute(
            'SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?',
            [keyspace],
            { prepare: true },
          );
          // The campaign's system-of-record tables are `events_<shape>_<slot>`.
          const sorTables = tables.rows.map((r) => String(r.get('table_name'))).filter((t) => t.startsWith('events_'));
          expect(sorTables.length).toBeGreaterThan(0);
          for (const table of sorTables) expect(await sorLayout(client, keyspace, table)).toBe(layout);
        }
      } finally {
        await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
        await client.shutdown();
      }
    }, 600_000);
});
