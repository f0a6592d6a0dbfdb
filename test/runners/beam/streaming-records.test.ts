/**
 * A streaming Kafka read on Flink hands the TypeScript steps one record an
 * element, `topic/partition/offset`, the reader's watermark and the value,
 * a line each. A record behind that watermark by more than the allowed
 * lateness goes to the dead-letter sink with the local runner's reason,
 * rather than being dropped unseen by Beam's grouping; one late for only
 * some of its sliding windows counts in the others.
 */
import { describe, expect, it } from 'vitest';
import { sinks, sliding, source, tumbling } from 'idemflow';
import { EmbeddedStore } from '../../../connectors/embedded/store.ts';
import { runTargets } from '../../../connectors/targets.ts';
import { FromKafka } from '../../../runners/beam/dofns.ts';
import { BeamRunContext, type InputRecord, type StepOutput } from '../../../runners/beam/run-context.ts';
import { Reading } from '../../helpers/fixtures.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const minute = 60_000;
const t0 = Date.UTC(2026, 0, 1);
const reading = (ts: number) => JSON.stringify({ eventId: `e${ts}`, sensorId: 's1', ts, value: 1 });

function contextFor(window: ReturnType<typeof tumbling>) {
  const pipeline = source
    .kafka({ brokers: ['127.0.0.1:1'], topic: 't', groupId: 'g' })
    .parse(Reading)
    .withEventTime((r) => r.ts)
    .window(window)
    .groupBy('sensorId')
    .count()
    .sink(sinks.memory()).ir;
  const store = new EmbeddedStore(tempDir());
  return new BeamRunContext(pipeline, { store }, runTargets(store, []), new Map());
}

/** The records FromKafka makes of one element each. */
const fromKafka = (...elements: string[]): InputRecord[] =>
  elements.flatMap((e) => [...new FromKafka('run').process(e)].flat());

const late = (outputs: StepOutput[]) =>
  outputs.flatMap((o) => ('sink' in o ? [o.sink.row as { reason: string; position: string }] : []));
const aggregated = (outputs: StepOutput[]) => outputs.flatMap((o) => ('agg' in o ? [o.agg.t] : []));

describe('the records of a streaming Kafka read', () => {
  it('FromKafka reads position, watermark and value; a value may hold newlines', () => {
    expect(fromKafka(`topic-a/2/1234\n${t0}\n{"a":\n1}`)).toEqual([
      { i: 1234, p: 'topic-a/2/1234', w: t0, v: '{"a":\n1}' },
    ]);
  });

  it('a record behind the watermark by more than the allowed lateness is a dead letter with its position; the others are aggregated', () => {
    const context = contextFor(tumbling({ minutes: 1 }, { allowedLateness: { seconds: 30 } }));
    const watermark = t0 + 3 * minute;
    const outputs = context.applySteps(
      fromKafka(
        `t/0/7\n${watermark}\n${reading(t0 + 10_000)}`, // window [t0, t0+1m) closed at t0+1m30s: late
        `t/0/8\n${watermark}\n${reading(t0 + 2 * minute - 20_000)}`, // window ends t0+2m, +30 s < t0+3m: late
        `t/0/9\n${watermark}\n${reading(t0 + 2 * minute + 5_000)}`, // window ends t0+3m, +30 s: still open
      ),
    );
    expect(late(outputs).map((l) => l.position)).toEqual(['t/0/7', 't/0/8']);
    expect(late(outputs)[0]!.reason).toBe(
      `late: event time ${new Date(t0 + 10_000).toISOString()} is behind the watermark ${new Date(watermark).toISOString()} minus the allowed lateness`,
    );
    // Timed at its window's last instant: Beam groups it in the fixed window ending where its window ends.
    expect(aggregated(outputs)).toEqual([t0 + 3 * minute - 1]);
    expect(context.totals.late).toBe(2);
  });

  it('a sliding-window record late for some windows only counts in the others, and says which it missed', () => {
    const context = contextFor(sliding({ minutes: 3 }, { minutes: 1 }));
    const watermark = t0 + 4 * minute;
    const ts = t0 + 2 * minute + 1_000; // windows from t0, t0+1m and t0+2m: the first two have ended by t0+4m
    const outputs = context.applySteps(fromKafka(`t/1/3\n${watermark}\n${reading(ts)}`));
    // One input, for the window [t0+2m, t0+5m) only (at its last instant): Beam cannot count it in the other two.
    expect(aggregated(outputs)).toEqual([t0 + 5 * minute - 1]);
    expect(late(outputs).map((l) => l.reason)).toEqual([
      expect.stringMatching(/^late for 2 of its 3 windows, .*; counted in the other 1$/),
    ]);
  });

  it('a sliding-window record on time: one input for each of its windows', () => {
    const context = contextFor(sliding({ minutes: 3 }, { minutes: 1 }));
    const outputs = context.applySteps(fromKafka(`t/1/4\n${t0}\n${reading(t0 + 2 * minute + 1_000)}`));
    expect(aggregated(outputs)).toEqual([t0 + 5 * minute - 1, t0 + 4 * minute - 1, t0 + 3 * minute - 1]);
  });

  it('records without a watermark (a bounded input) are never late', () => {
    const context = contextFor(tumbling({ minutes: 1 }));
    const outputs = context.applySteps([{ i: 0, v: reading(t0) }]);
    expect(late(outputs)).toEqual([]);
    expect(aggregated(outputs)).toEqual([t0 + minute - 1]);
  });
});
