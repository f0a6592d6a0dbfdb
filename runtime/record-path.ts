import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PipelineNode, type SinkNode, type StepNode, type WindowNode } from '../compiler/ir/index.ts';
import { columnValue } from './sinks/table-ops.ts';

/**
 * Where a record goes after the per-record steps. `index` is the record's
 * place in the batch: the engine turns it into the raw payload and the
 * source position when (and only when) a dead letter needs them.
 */
export interface RecordOutputs {
  deadLetter(sink: SinkNode, reason: string, index: number): void;
  archive(sink: SinkNode, event: unknown): void;
  /** A keyed event for the aggregation, with its event time when the pipeline has one. */
  aggregate(key: unknown, eventTime: number | undefined, event: unknown, index: number): void;
  /** An event for a pipeline that sinks records without aggregating. */
  emit(event: unknown): void;
}

type Stage = (value: unknown, index: number, eventTime: number | undefined) => void | Promise<void>;

const maxRawLength = 65_536;

/** The raw payload as text for a dead letter, bounded so one huge record cannot exhaust memory. */
export function rawText(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  return text.length > maxRawLength ? `${text.slice(0, maxRawLength)}… (${text.length} chars)` : text;
}

/** What a guarded user function returns when it threw (a value no user function can return). */
const failed: unique symbol = Symbol('failed');

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

/**
 * sum, min, max and avg need a number in their field (a numeric string, as a
 * CSV gives, counts). Anything else would turn the whole aggregate into NaN,
 * written as null: the record is dead-lettered instead, with the reason.
 */
function numericFieldCheck(pipeline: PipelineNode): ((event: unknown) => string | undefined) | undefined {
  const aggregate = PipelineNode.aggregate(pipeline);
  const field = aggregate?.field;
  if (!aggregate || field === undefined || aggregate.op === 'count' || aggregate.op === 'custom') return undefined;
  return (event) => {
    const value = (event as Record<string, unknown> | null)?.[field];
    const usable =
      typeof value === 'number'
        ? Number.isFinite(value)
        : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    return usable
      ? undefined
      : `${aggregate.op} field \`${field}\` is not a number: ${value === undefined ? 'missing' : rawText(value)}`;
  };
}

/** The dead-letter sink in force at a step: the nearest `.parse()` before it (if it names one), or the run's default. */
function deadLetterAt(steps: readonly StepNode[], index: number, fallback: SinkNode): SinkNode {
  for (let i = index; i >= 0; i--) {
    const s = steps[i];
    if (s?.kind === 'Parse') return s.deadLetter.byDefault ? fallback : s.deadLetter;
  }
  return fallback;
}

/**
 * Compiles a pipeline's steps into one function a record. Each step is a
 * closure calling the next, built back to front; nothing is interpreted per
 * record. A step that rejects or throws sends the record to a dead-letter
 * sink with the reason and the raw payload; the pipeline goes on.
 */
export function compileRecordPath(
  pipeline: PipelineNode,
  out: RecordOutputs,
  fallbackDeadLetter: SinkNode,
): (raw: unknown, index: number) => void | Promise<void> {
  const steps = pipeline.steps;
  const aggregated = PipelineNode.aggregate(pipeline) !== undefined;
  let next: Stage = aggregated ? () => {} : (value) => out.emit(value);

  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const after = next;
    const deadLetter = deadLetterAt(steps, i - 1, fallbackDeadLetter);
    const reject = (reason: string, index: number) => out.deadLetter(deadLetter, reason, index);
    /** Calls a user function; if it throws, the record becomes a dead letter and `failed` is returned. */
    const guarded = <R>(fn: (v: unknown) => R, value: unknown, what: string, index: number): R | typeof failed => {
      try {
        return fn(value);
      } catch (error) {
        reject(`${what} threw: ${message(error)}`, index);
        return failed;
      }
    };
    switch (step.kind) {
      case 'Parse': {
        const validate = (step.schema() as StandardSchemaV1)['~standard'].validate;
        const own = step.deadLetter.byDefault ? fallbackDeadLetter : step.deadLetter;
        const accept = (result: StandardSchemaV1.Result<unknown>, index: number, t: number | undefined) =>
          result.issues
            ? out.deadLetter(own, `invalid: ${describeIssues(result.issues)}`, index)
            : after(result.value, index, t);
        next = (value, index, t) => {
          let decoded = value;
          if (typeof value === 'string') {
            try {
              decoded = JSON.parse(value);
            } catch (error) {
              return out.deadLetter(own, `not JSON: ${message(error)}`, index);
            }
          }
          const result = validate(decoded);
          return result instanceof Promise ? result.then((r) => accept(r, index, t)) : accept(result, index, t);
        };
        break;
      }
      case 'Map': {
        const fn = step.fn.fn as (v: unknown) => unknown;
        next = (value, index, t) => {
          const mapped = guarded(fn, value, 'map', index);
          return mapped === failed ? undefined : after(mapped, index, t);
        };
        break;
      }
      case 'Filter': {
        const fn = step.fn.fn as (v: unknown) => boolean;
        next = (value, index, t) => (guarded(fn, value, 'filter', index) === true ? after(value, index, t) : undefined);
        break;
      }
      case 'FlatMap': {
        const fn = step.fn.fn as (v: unknown) => Iterable<unknown>;
        // Synchronous unless a later step is (an async schema): Beam's DoFns cannot wait for a promise.
        next = (value, index, t) => {
          const items = guarded((v) => [...fn(v)], value, 'flatMap', index);
          if (items === failed) return;
          let pending: Promise<void> | undefined;
          for (const item of items) {
            if (pending) pending = pending.then(() => after(item, index, t));
            else {
              const result = after(item, index, t);
              if (result instanceof Promise) pending = result;
            }
          }
          return pending;
        };
        break;
      }
      case 'EventTime': {
        const fn = step.fn.fn as (v: unknown) => number | Date;
        next = (value, index) => {
          const raw = guarded(fn, value, 'event time', index);
          if (raw === failed) return;
          const t = raw instanceof Date ? raw.getTime() : raw;
          if (typeof t !== 'number' || !Number.isFinite(t))
            return reject(
              `event time is not a finite number: ${rawText(t)} (withEventTime must return milliseconds since the epoch or a Date)`,
              index,
            );
          return after(value, index, t);
        };
        break;
      }
      case 'Archive': {
        const sink = step.sink;
        const id = sink.id;
        const idName = id?.from.type === 'field' ? `\`${id.from.field}\`` : 'function';
        next = (value, index, t) => {
          // An event with no id cannot be stored once (and Cassandra refuses a null key, failing every batch
          // it is in): a dead letter, left out of the aggregates too, so that repair recomputes what the stream did.
          if (id) {
            const eventId = guarded((v) => columnValue(id, v), value, 'event id', index);
            if (eventId === failed) return;
            if (eventId === undefined || eventId === null || eventId === '')
              return reject(`event id ${idName} is missing`, index);
          }
          out.archive(sink, value);
          return after(value, index, t);
        };
        break;
      }
      case 'GroupBy': {
        const by = step.by;
        const notNumeric = numericFieldCheck(pipeline);
        const aggregate = (key: unknown, t: number | undefined, value: unknown, index: number) => {
          const problem = notNumeric?.(value);
          if (problem !== undefined) return reject(problem, index);
          out.aggregate(key, t, value, index);
        };
        if (by.type === 'field') {
          const field = by.field;
          next = (value, index, t) => {
            const key = (value as Record<string, unknown> | null)?.[field];
            if (key === undefined || key === null) return reject(`group key \`${field}\` is missing`, index);
            aggregate(key, t, value, index);
          };
        } else {
          const fn = by.fn.fn as (v: unknown) => unknown;
          next = (value, index, t) => {
            const key = guarded(fn, value, 'group key function', index);
            if (key !== failed) aggregate(key, t, value, index);
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
  return (raw, index) => first(raw, index, undefined);
}

export function windowOf(pipeline: PipelineNode): WindowNode | undefined {
  return pipeline.steps.find((s): s is WindowNode => s.kind === 'Window');
}
