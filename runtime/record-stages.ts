import type { StandardSchemaV1 } from '@standard-schema/spec';
import { PipelineNode, type SinkNode, type StepNode } from '../compiler/ir/index.ts';
import { columnValue } from './sinks/table-ops.ts';
import { archivedCopy, Unarchivable } from './archived-copy.ts';
import { storedId } from './stored-id.ts';
import { fieldReader } from './own-field.ts';
import { parseJson } from './json-parse.ts';
import type { ArchiveIdChecks } from './target-connector.ts';
import { rawText, type RecordOutputs } from './record-output.ts';

/** One step of the record path: takes a value (with its place in the batch and its event time) to the next step. */
export type Stage = (value: unknown, index: number, eventTime: number | undefined) => void | Promise<void>;

/** What a failed user function returns (a value no user function can return). */
export const failed: unique symbol = Symbol('failed');

/** What a step's stage is built from: the stage after it and where its rejects go. */
export interface StageContext {
  readonly pipeline: PipelineNode;
  readonly out: RecordOutputs;
  readonly after: Stage;
  /** The run's default dead-letter sink, for a `.parse()` that names none. */
  readonly fallbackDeadLetter: SinkNode;
  /** Sends the record to the dead-letter sink in force at this step, with the reason. */
  readonly reject: (reason: string, index: number) => void;
  /** Calls a user function; if it throws, the record becomes a dead letter and `failed` is returned. */
  readonly guarded: <R>(fn: (v: unknown) => R, value: unknown, what: string, index: number) => R | typeof failed;
  /** The ids each system of record's table cannot keep apart (resolved before the first batch). */
  readonly idChecks: ArchiveIdChecks;
}

/** Why an event time was rejected: it is not a finite number of milliseconds. */
export const badEventTime = (t: unknown) =>
  `event time is not a finite number: ${rawText(t)} (withEventTime must return milliseconds since the epoch or a Date)`;

export const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/** A table with one stage builder a step kind: a new kind does not compile until it has one. */
type StageBuilders = {
  readonly [K in StepNode['kind']]: (step: Extract<StepNode, { kind: K }>, c: StageContext) => Stage;
};

export const stageOf: StageBuilders = {
  Parse: parseStage,
  Map(step, c) {
    const { after, guarded } = c;
    const fn = step.fn.fn as (v: unknown) => unknown;
    return (value, index, t) => {
      const mapped = guarded(fn, value, 'map', index);
      return mapped === failed ? undefined : after(mapped, index, t);
    };
  },
  Filter(step, c) {
    const { after, guarded } = c;
    const fn = step.fn.fn as (v: unknown) => boolean;
    return (value, index, t) => (guarded(fn, value, 'filter', index) === true ? after(value, index, t) : undefined);
  },
  FlatMap: flatMapStage,
  EventTime(step, c) {
    const { after, guarded, reject } = c;
    const fn = step.fn.fn as (v: unknown) => number | Date;
    return (value, index) => {
      const raw = guarded(fn, value, 'event time', index);
      if (raw === failed) return;
      const t = raw instanceof Date ? raw.getTime() : raw;
      if (typeof t !== 'number' || !Number.isFinite(t)) return reject(badEventTime(t), index);
      return after(value, index, t);
    };
  },
  Archive: archiveStage,
  GroupBy: groupByStage,
  // The window and the aggregate are applied by the keyed state the GroupBy stage hands each event to.
  Window: (_step, c) => c.after,
  Aggregate: (_step, c) => c.after,
};

function parseStage(step: Extract<StepNode, { kind: 'Parse' }>, c: StageContext): Stage {
  const { after, out } = c;
  const validate = (step.schema() as StandardSchemaV1)['~standard'].validate;
  const own = step.deadLetter.byDefault ? c.fallbackDeadLetter : step.deadLetter;
  const accept = (result: StandardSchemaV1.Result<unknown>, index: number, t: number | undefined) =>
    result.issues
      ? out.deadLetter(own, `invalid: ${describeIssues(result.issues)}`, index)
      : after(result.value, index, t);
  return (value, index, t) => {
    let decoded = value;
    if (typeof value === 'string') {
      try {
        decoded = parseJson(value);
      } catch (error) {
        return out.deadLetter(own, `not JSON: ${message(error)}`, index);
      }
    }
    const result = validate(decoded);
    return result instanceof Promise ? result.then((r) => accept(r, index, t)) : accept(result, index, t);
  };
}

function flatMapStage(step: Extract<StepNode, { kind: 'FlatMap' }>, c: StageContext): Stage {
  const { after, guarded } = c;
  const fn = step.fn.fn as (v: unknown) => Iterable<unknown>;
  // Synchronous unless a later step is (an async schema): Beam's DoFns cannot wait for a promise.
  return (value, index, t) => {
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
}

function archiveStage(step: Extract<StepNode, { kind: 'Archive' }>, c: StageContext): Stage {
  const { after, reject, out, guarded } = c;
  const sink = step.sink;
  const idOf = sink.id ? archivedIdOf(sink, c) : () => undefined;
  return (value, index, t) => {
    const id = idOf(value, index);
    if (id === failed) return;
    // The event as it is now, not as a later step may leave it (`e.n *= 2` in a map): what the source said
    // is what repair recounts. A value JSON cannot keep as it is makes the record a dead letter, neither
    // counted nor archived, as an event with no id is: the aggregates stay what repair would make of the archive.
    // Copying reads every getter and calls every toJSON of the event (user code): one that throws makes this
    // record a dead letter, as a throwing step does, not the whole batch fail again at each replay.
    const event = guarded(archivedCopy, value, 'reading the event to archive it', index);
    if (event === failed) return;
    if (event instanceof Unarchivable) return reject(event.reason, index);
    out.archive(sink, { id, event });
    return after(value, index, t);
  };
}

/**
 * An event's id as the archive keeps it (a string as it is, another value copied, as a later step may
 * change it in place), or `failed` when it cannot be archived: the record is then a dead letter with the
 * reason, counted by nothing, as the archive would not keep it apart. Refused: no id (Cassandra refuses
 * a null key, failing every batch it is in), one JSON cannot store as it is (a BigInt; a Map, stored as
 * `{}` like every other Map), one the table would merge with another (`idChecks`).
 */
function archivedIdOf(sink: SinkNode, c: StageContext): (value: unknown, index: number) => unknown {
  const { guarded, reject } = c;
  const id = sink.id!;
  const idName = id.from.type === 'field' ? `\`${id.from.field}\`` : 'function';
  const check = c.idChecks.get(sink);
  // A field every object inherits (`__proto__`, `constructor`) names the event's own id only when it holds
  // one (fieldReader): otherwise Object.prototype's member would be taken (`__proto__` copied as {}, one id for all).
  const readId = id.from.type === 'field' ? fieldReader(id.from.field) : (v: unknown) => columnValue(id, v);
  // The id as kept: its copy too reads getters and calls toJSON (user code), so it is guarded with the id's read.
  const keptIdOf = (v: unknown) => {
    const eventId = readId(v);
    return typeof eventId === 'string' || eventId == null ? eventId : archivedCopy(eventId);
  };
  const refusal = (kept: unknown): string | undefined => {
    if (kept === undefined || kept === null || kept === '') return `event id ${idName} is missing`;
    if (kept instanceof Unarchivable) {
      const where = kept.path === '' ? '' : ` at \`${kept.path}\``;
      return `cannot archive: event id ${idName} is ${kept.what}${where}, which JSON does not keep as it is (two ids would be stored as one)`;
    }
    const refused = check?.(storedId(kept));
    return refused === undefined ? undefined : `cannot archive: event id ${idName} ${refused}`;
  };
  return (value, index) => {
    const kept = guarded(keptIdOf, value, 'event id', index);
    if (kept === failed) return failed;
    const reason = refusal(kept);
    if (reason === undefined) return kept;
    reject(reason, index);
    return failed;
  };
}

function groupByStage(step: Extract<StepNode, { kind: 'GroupBy' }>, c: StageContext): Stage {
  const { guarded, reject, out } = c;
  const by = step.by;
  const notNumeric = numericFieldCheck(c.pipeline);
  const aggregate = (key: unknown, t: number | undefined, value: unknown, index: number) => {
    const problem = notNumeric?.(value);
    if (problem !== undefined) return reject(problem, index);
    out.aggregate(key, t, value, index);
  };
  if (by.type === 'field') {
    const field = by.field;
    const read = fieldReader(field);
    return (value, index, t) => {
      const key = read(value);
      if (key === undefined || key === null) return reject(`group key \`${field}\` is missing`, index);
      aggregate(key, t, value, index);
    };
  }
  const fn = by.fn.fn as (v: unknown) => unknown;
  return (value, index, t) => {
    const key = guarded(fn, value, 'group key function', index);
    if (key !== failed) aggregate(key, t, value, index);
  };
}

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
export function numericFieldCheck(pipeline: PipelineNode): ((event: unknown) => string | undefined) | undefined {
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
