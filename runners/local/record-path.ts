import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { PipelineNode, SinkNode, StepNode, WindowNode } from '../../compiler/index.ts';
import type { SourceRecord } from './sources/source-reader.ts';

/** Where a record goes after the per-record steps. */
export interface RecordOutputs {
  deadLetter(sink: SinkNode, reason: string, record: SourceRecord): void;
  archive(sink: SinkNode, event: unknown): void;
  /** A keyed event for the aggregation, with its event time when the pipeline has one. */
  aggregate(key: unknown, eventTime: number | undefined, event: unknown, record: SourceRecord): void;
  /** An event for a pipeline that sinks records without aggregating. */
  emit(event: unknown): void;
}

type Stage = (value: unknown, record: SourceRecord, eventTime: number | undefined) => void | Promise<void>;

const maxRawLength = 65_536;

/** The raw payload as text for a dead letter, bounded so one huge record cannot exhaust memory. */
export function rawText(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
  return text.length > maxRawLength ? `${text.slice(0, maxRawLength)}… (${text.length} chars)` : text;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = (i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** The dead-letter sink in force at a step: the nearest `.parse()` before it, or the pipeline's default. */
function deadLetterAt(steps: readonly StepNode[], index: number, fallback: SinkNode): SinkNode {
  for (let i = index; i >= 0; i--) {
    const s = steps[i];
    if (s?.kind === 'Parse') return s.deadLetter;
  }
  return fallback;
}

/**
 * Compiles a pipeline's steps into one function a record. Each step is a
 * closure calling the next, built back to front; nothing is interpreted per
 * record. A step that rejects or throws sends the record to a dead-letter
 * sink with the reason and the raw payload; the pipeline goes on.
 */
export function compileRecordPath(pipeline: PipelineNode, out: RecordOutputs, fallbackDeadLetter: SinkNode): (record: SourceRecord) => void | Promise<void> {
  const steps = pipeline.steps;
  const aggregated = steps.some((s) => s.kind === 'Aggregate');
  let next: Stage = aggregated ? () => {} : (value) => out.emit(value);

  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const after = next;
    const deadLetter = deadLetterAt(steps, i - 1, fallbackDeadLetter);
    const reject = (reason: string, record: SourceRecord) => out.deadLetter(deadLetter, reason, record);
    switch (step.kind) {
      case 'Parse': {
        const validate = (step.schema() as StandardSchemaV1)['~standard'].validate;
        const own = step.deadLetter;
        const accept = (result: StandardSchemaV1.Result<unknown>, record: SourceRecord, t: number | undefined) =>
          result.issues ? out.deadLetter(own, `invalid: ${describeIssues(result.issues)}`, record) : after(result.value, record, t);
        next = (value, record, t) => {
          let decoded = value;
          if (typeof value === 'string') {
            try {
              decoded = JSON.parse(value);
            } catch (error) {
              return out.deadLetter(own, `not JSON: ${message(error)}`, record);
            }
          }
          const result = validate(decoded);
          return result instanceof Promise ? result.then((r) => accept(r, record, t)) : accept(result, record, t);
        };
        break;
      }
      case 'Map': {
        const fn = step.fn.fn as (v: unknown) => unknown;
        next = (value, record, t) => {
          let mapped: unknown;
          try {
            mapped = fn(value);
          } catch (error) {
            return reject(`map threw: ${message(error)}`, record);
          }
          return after(mapped, record, t);
        };
        break;
      }
      case 'Filter': {
        const fn = step.fn.fn as (v: unknown) => boolean;
        next = (value, record, t) => {
          let keep: boolean;
          try {
            keep = fn(value);
          } catch (error) {
            return reject(`filter threw: ${message(error)}`, record);
          }
          return keep ? after(value, record, t) : undefined;
        };
        break;
      }
      case 'FlatMap': {
        const fn = step.fn.fn as (v: unknown) => Iterable<unknown>;
        next = async (value, record, t) => {
          let items: unknown[];
          try {
            items = [...fn(value)];
          } catch (error) {
            return reject(`flatMap threw: ${message(error)}`, record);
          }
          for (const item of items) await after(item, record, t);
        };
        break;
      }
      case 'EventTime': {
        const fn = step.fn.fn as (v: unknown) => number | Date;
        next = (value, record) => {
          let t: number;
          try {
            const raw = fn(value);
            t = raw instanceof Date ? raw.getTime() : raw;
          } catch (error) {
            return reject(`event time threw: ${message(error)}`, record);
          }
          if (typeof t !== 'number' || !Number.isFinite(t)) return reject(`event time is not a finite number: ${String(t)}`, record);
          return after(value, record, t);
        };
        break;
      }
      case 'Archive': {
        const sink = step.sink;
        next = (value, record, t) => {
          out.archive(sink, value);
          return after(value, record, t);
        };
        break;
      }
      case 'GroupBy': {
        const by = step.by;
        if (by.type === 'field') {
          const field = by.field;
          next = (value, record, t) => {
            const key = (value as Record<string, unknown> | null)?.[field];
            if (key === undefined || key === null) return reject(`group key \`${field}\` is missing`, record);
            out.aggregate(key, t, value, record);
          };
        } else {
          const fn = by.fn.fn as (v: unknown) => unknown;
          next = (value, record, t) => {
            let key: unknown;
            try {
              key = fn(value);
            } catch (error) {
              return reject(`group key function threw: ${message(error)}`, record);
            }
            out.aggregate(key, t, value, record);
          };
        }
        break;
      }
      case 'Window':
      case 'Aggregate':
        break;
    }
  }
  const first = next;
  return (record) => first(record.raw, record, undefined);
}

export function windowOf(pipeline: PipelineNode): WindowNode | undefined {
  return pipeline.steps.find((s): s is WindowNode => s.kind === 'Window');
}
