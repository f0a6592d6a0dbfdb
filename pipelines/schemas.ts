import { z } from 'zod';

/** A sensor reading as producers send it (the seed's sensor example). `eventId` is assigned by the producer. */
export const SensorReading = z.object({
  eventId: z.string().min(1),
  sensorId: z.string().min(1),
  ts: z.number().int().nonnegative(),
  value: z.number().finite(),
});
export type SensorReading = z.infer<typeof SensorReading>;

/** A page visit (the seed's country-visits counter example). */
export const Visit = z.object({
  eventId: z.string().min(1),
  country: z.string().length(2),
  ts: z.number().int().nonnegative(),
});
export type Visit = z.infer<typeof Visit>;
