import { source } from 'idemflow';

/** The demo's input: 20,000 synthetic readings from 50 sensors, ten per second of event time. */
export const demoEvents = { seed: 42, count: 20_000, keys: 50, intervalMs: 100 } as const;

export const sensorReadings = () => source.generator(demoEvents);
