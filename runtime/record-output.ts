import type { SinkNode } from '../compiler/ir/index.ts';

/**
 * An event as the archive step hands it on: the id the step took from it (a copy, when not a string)
 * beside the copy of the event. The writer stores the event under this id: computed again at write time,
 * from the copy, an id function reading a getter or method of a class would find none there.
 */
export interface ArchivedEvent {
  /** Undefined for a system of record with no id (IDEM007): each copy is stored apart. */
  readonly id: unknown;
  readonly event: unknown;
}

/**
 * Where a record goes after the per-record steps. `index` is the record's
 * place in the batch: the engine turns it into the raw payload and the
 * source position when (and only when) a dead letter needs them.
 */
export interface RecordOutputs {
  deadLetter(sink: SinkNode, reason: string, index: number): void;
  archive(sink: SinkNode, archived: ArchivedEvent): void;
  /** A keyed event for the aggregation, with its event time when the pipeline has one. */
  aggregate(key: unknown, eventTime: number | undefined, event: unknown, index: number): void;
  /** An event for a pipeline that sinks records without aggregating. */
  emit(event: unknown): void;
}

const maxRawLength = 65_536;

/** The raw payload as text for a dead letter, bounded so one huge record cannot exhaust memory. */
export function rawText(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : asJson(raw);
  return text.length > maxRawLength ? `${text.slice(0, maxRawLength)}… (${text.length} chars)` : text;
}

/** A record as JSON for a dead letter; one JSON cannot write (a BigInt in it) with each BigInt as `123n`, a cycle as its message. */
function asJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    try {
      return JSON.stringify(raw, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
    } catch (error) {
      return `${String(raw)} (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  }
}
