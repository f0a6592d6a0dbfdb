import type { SensorEvent } from '../../dsl/index.ts';
import { SeededRandom } from '../seeded-random.ts';
import type { SourceReader } from './source-reader.ts';

export interface GeneratorSettings {
  readonly seed: number;
  readonly count: number;
  readonly keys: number;
  readonly intervalMs: number;
  readonly startTs: number;
  readonly lateFraction: number;
  readonly duplicateFraction: number;
  readonly ratePerSecond?: number;
}

/** How far back a late event's time is (ten minutes): late for one-minute windows. */
const lateByMs = 600_000;

/**
 * Event i of a generator: a pure function of (seed, i), so a restart at any
 * position yields the same events and the same event ids.
 */
export function generatedEvent(s: GeneratorSettings, i: number): { event: SensorEvent; duplicated: boolean } {
  const random = new SeededRandom(s.seed * 1_000_003 + i);
  const sensor = random.int(0, s.keys - 1);
  const late = random.chance(s.lateFraction);
  const duplicated = random.chance(s.duplicateFraction);
  const ts = s.startTs + i * s.intervalMs - (late ? lateByMs : 0);
  return {
    event: { eventId: `gen-${s.seed}-${i}`, sensorId: `sensor-${sensor}`, ts, value: random.int(0, 1000) / 10 },
    duplicated,
  };
}

/**
 * Synthetic sensor events. Slot 2i is event i; slot 2i+1 is its duplicate
 * delivery when the event is duplicated. The position is the next slot.
 */
export function generatorSource(s: GeneratorSettings, from: unknown): SourceReader {
  let slot = typeof from === 'number' ? from : 0;
  const end = 2 * s.count;
  const started = performance.now();
  const firstSlot = slot;
  return {
    async read(requested) {
      // At a set rate, only the events due by now (wall clock) are emitted.
      const due =
        s.ratePerSecond === undefined
          ? Infinity
          : Math.floor(((performance.now() - started) * s.ratePerSecond) / 1000) - (slot - firstSlot) / 2;
      const max = Math.max(0, Math.min(requested, due));
      const values: SensorEvent[] = [];
      const positions: string[] = [];
      while (slot < end && values.length < max) {
        const i = slot >> 1;
        const { event, duplicated } = generatedEvent(s, i);
        if (slot % 2 === 0 || duplicated) {
          values.push(event);
          positions.push(event.eventId);
        }
        slot++;
      }
      // Step over a last odd slot that delivers nothing (an event not duplicated), so the read that
      // delivers the last event already says the input is done.
      if (slot === end - 1 && !generatedEvent(s, slot >> 1).duplicated) slot++;
      return { values, position: (i) => `generator#${positions[i]}`, done: slot >= end };
    },
    position: () => slot,
    async close() {},
  };
}
