/** The synthetic sensor reading the generator emits (the seed's sensor example). */
export interface SensorEvent {
  /** Deterministic id derived from the generator's seed and position: a replay yields the same id. */
  readonly eventId: string;
  readonly sensorId: string;
  /** Event time, milliseconds since the epoch. */
  readonly ts: number;
  readonly value: number;
}

export const sensorEventFields: readonly (keyof SensorEvent)[] = ['eventId', 'sensorId', 'ts', 'value'];
