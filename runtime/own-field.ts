/**
 * Reads a field named in the DSL (`groupBy('sensorId')`, `id: 'eventId'`) from an event. A name every
 * object inherits (`__proto__`, `constructor`, `toString`) is read only as the event's own field: else an
 * event without it would give Object.prototype or a function, and every such event one group or one id
 * (review of issue 19). Any other name is read as it always was, inherited or not.
 */
export function fieldReader(field: string): (event: unknown) => unknown {
  if (!(field in Object.prototype)) return (event) => (event as Record<string, unknown> | null | undefined)?.[field];
  return (event) =>
    typeof event === 'object' && event !== null && Object.hasOwn(event, field)
      ? (event as Record<string, unknown>)[field]
      : undefined;
}
