import { generatorFields } from '../compiler/ir/index.ts';

/** The synthetic sensor reading the generator emits (the seed's sensor example). */
export interface SensorEvent {
  /** Deterministic id derived from the generator's seed and position: a replay yields the same id. */
  readonly eventId: string;
  readonly sensorId: string;
  /** Event time, milliseconds since the epoch. */
  readonly ts: number;
  readonly value: number;
}

/** The generator's fields, kept in the IR; typed here, so a field SensorEvent lacks does not compile. */
export const sensorEventFields: readonly (keyof SensorEvent)[] = generatorFields;
