import { z } from 'zod';
import { cassandra, embedded, sliding, source, tumbling, type SinkSpec } from '../../dsl/index.ts';
import type { PipelineNode } from '../../compiler/ir/index.ts';
import { generatedEvent, type GeneratorSettings } from '../../runtime/sources/generator-source.ts';
import type { SensorEvent } from '../../dsl/index.ts';
import type { PipelineShape, Schedule } from './schedule.ts';

export const minute = 60_000;
const Reading = z.object({ eventId: z.string(), sensorId: z.string(), ts: z.number(), value: z.number() });

/** Where the input lives and where the pipeline writes. */
export interface Placement {
  readonly file?: string;
  readonly kafka?: { readonly brokers: readonly string[]; readonly topic: string; readonly groupId: string };
  /** A sender on loopback (it re-sends what the receiver's WAL did not acknowledge) and the receiver's WAL folder. */
  readonly socket?: { readonly port: number; readonly walDir: string };
  /** A Cassandra keyspace and a suffix for the tables; the embedded store without it. */
  readonly cassandra?: { readonly keyspace: string; readonly suffix: string };
}

/** The campaign's events: a few sensors, several events a minute, in event-time order. */
export const generatorSettings = (s: Schedule): GeneratorSettings => ({
  seed: s.seed,
  count: s.events,
  keys: 4,
  intervalMs: 9_000,
  startTs: Date.UTC(2024, 0, 1),
  lateFraction: 0,
  duplicateFraction: 0,
});

export function campaignEvents(s: Schedule): SensorEvent[] {
  const settings = generatorSettings(s);
  return Array.from({ length: s.events }, (_, i) => generatedEvent(settings, i).event);
}

function tables(place: Placement): { sor: SinkSpec<never>; counts: (windowed: boolean) => SinkSpec<never> } {
  const c = place.cassandra;
  const name = (t: string) => (c ? `${t}_${c.suffix}` : t);
  const sinks = c ? cassandra : embedded;
  const where = (t: string) => (c ? { keyspace: c.keyspace, table: name(t) } : { table: name(t) });
  return {
    sor: (sinks.systemOfRecord as (o: object) => SinkSpec<never>)({ ...where('events'), id: 'eventId' }),
    counts: (windowed) =>
      (sinks.upsert as (o: object) => SinkSpec<never>)({
        ...where('counts'),
        key: windowed ? { s: 'key', ts: 'windowStart' } : { s: 'key' },
        values: { n: 'value' },
      }),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- the shape is chosen at run time; the DSL's static types follow one literal chain */
function input(shape: PipelineShape, s: Schedule, place: Placement): any {
  if (shape.input === 'generator') return source.generator(generatorSettings(s));
  if (shape.input === 'file') return source.file(place.file!, { format: 'jsonl' }).parse(Reading);
  if (shape.input === 'socket')
    return source
      .socket({ host: '127.0.0.1', port: place.socket!.port })
      .withWal({ dir: place.socket!.walDir, acknowledge: true })
      .parse(Reading);
  return source.kafka(place.kafka!).parse(Reading);
}

/** The recommended design in the schedule's shape: system of record, event-time windows, count, upsert. */
export function campaignPipeline(s: Schedule, place: Placement): PipelineNode {
  const { shape } = s;
  const t = tables(place);
  let stream: any = input(shape, s, place);
  stream = shape.eventTimeFirst
    ? stream.withEventTime((e: SensorEvent) => e.ts).archive(t.sor)
    : stream.archive(t.sor).withEventTime((e: SensorEvent) => e.ts);
  const emit = { emit: shape.emit };
  if (shape.window === 'tumbling') stream = stream.window(tumbling(minute, emit));
  if (shape.window === 'sliding') stream = stream.window(sliding(2 * minute, minute, emit));
  return stream
    .groupBy('sensorId')
    .count()
    .sink(t.counts(shape.window !== 'none')).ir as PipelineNode;
}
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */

/** The windows an event counts in, as the sink keys them: a hand loop, independent of the runner. */
function rowKeys(window: PipelineShape['window'], e: SensorEvent): unknown[][] {
  if (window === 'none') return [[e.sensorId]];
  if (window === 'tumbling') return [[e.sensorId, Math.floor(e.ts / minute) * minute]];
  const last = Math.floor(e.ts / minute) * minute;
  return [
    [e.sensorId, last - minute],
    [e.sensorId, last],
  ];
}

/** The truth: distinct events counted per sink row, by hand. */
export function truthOf(window: PipelineShape['window'], events: readonly SensorEvent[]): Map<string, number> {
  const truth = new Map<string, number>();
  for (const e of events)
    for (const key of rowKeys(window, e)) {
      const id = JSON.stringify(key);
      truth.set(id, (truth.get(id) ?? 0) + 1);
    }
  return truth;
}
