/**
 * Type-level tests (checked by `tsc --noEmit`): sum/min/max/avg take only
 * numeric fields, and an event time is a number or a Date. Each
 * `@ts-expect-error` fails the type check if the line below it compiles.
 */
import { z } from 'zod';
import { source, tumbling } from 'idemflow';

const Visit = z.object({ url: z.string(), ts: z.number(), at: z.date(), bytes: z.number(), ok: z.boolean() });
const visits = source.kafka({ brokers: ['127.0.0.1:9092'], topic: 'visits', groupId: 'g' }).parse(Visit);
const grouped = visits.groupBy('url');

grouped.sum('bytes');
grouped.min('bytes');
grouped.max('ts');
grouped.avg('bytes');
// @ts-expect-error: sum of a string field would write null into every row.
grouped.sum('url');
// @ts-expect-error: min of a string field.
grouped.min('url');
// @ts-expect-error: max of a boolean field.
grouped.max('ok');
// @ts-expect-error: avg of a Date field.
grouped.avg('at');

// The generator's records: ids and sensor names are strings.
// @ts-expect-error: sensorId is a string.
source.generator().groupBy('eventId').avg('sensorId');

visits.withEventTime((v) => v.ts).window(tumbling({ minutes: 1 }));
visits.withEventTime((v) => v.at).window(tumbling({ minutes: 1 }));
// @ts-expect-error: an event time must be a number (ms since the epoch) or a Date, not a string.
visits.withEventTime((v) => v.url);
// @ts-expect-error: nor a boolean.
visits.withEventTime((v) => v.ok);
// @ts-expect-error: nor something that is sometimes a string.
visits.withEventTime((v) => (v.ok ? v.ts : v.url));
