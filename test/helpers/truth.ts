import type { GeneratorSettings } from '../../runtime/sources/generator-source.ts';
import { generatedEvent } from '../../runtime/sources/generator-source.ts';
import type { EmbeddedStore } from '../../connectors/embedded/store.ts';

export const generatorDefaults = { startTs: Date.UTC(2024, 0, 1), lateFraction: 0, duplicateFraction: 0 } as const;

/** Ground truth by a hand loop: distinct events counted per (sensor, window start). */
export function countsByKeyAndWindow(settings: GeneratorSettings, windowMs: number): Map<string, number> {
  const truth = new Map<string, number>();
  for (let i = 0; i < settings.count; i++) {
    const { event } = generatedEvent(settings, i);
    const id = JSON.stringify([event.sensorId, Math.floor(event.ts / windowMs) * windowMs]);
    truth.set(id, (truth.get(id) ?? 0) + 1);
  }
  return truth;
}

/** A table's single value column by primary key, as the same JSON ids. */
export function tableCounts(store: EmbeddedStore, table: string, column: string): Map<string, number> {
  return new Map(
    store
      .table({ table })
      .rows()
      .map((r) => [JSON.stringify(r.key), Number(r.columns[column])]),
  );
}

export const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
