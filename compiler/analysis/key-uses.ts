import { type SinkNode, type ColumnNode, type FnNode, type PipelineNode, type SourceLocation } from '../ir/index.ts';
import { describeLocation } from './describe-location.ts';
import { userFunctionLocation, type FunctionPick } from './call-graph/locate-user-function.ts';
import { diskPrograms, type ProgramSource } from './call-graph/program-source.ts';
import { analyzeFunction, type FieldTaint, type FunctionTaint, type TaintOrigin } from './taint.ts';

/** A place where a value becomes an identity: a key, a window bound, an event id. These must be deterministic. */
export type KeyRole = 'event-time' | 'group-key' | 'sink-key' | 'event-id';

export interface KeyUse {
  readonly role: KeyRole;
  /** The node to report at. */
  readonly node: { readonly location?: SourceLocation };
  /** The sink and column, for sink keys and event ids. */
  readonly sink?: SinkNode;
  readonly column?: ColumnNode;
  /** Why the value is not replay-safe; undefined when it is. */
  readonly taint: TaintOrigin | undefined;
}

const stepLabel = (kind: string, location?: SourceLocation) =>
  `.${kind.charAt(0).toLowerCase()}${kind.slice(1)} at ${describeLocation(location)}`;

/** Reads a user function; `at` and `pick` find it in its file when the IR has only its text (`check`). */
type Analyze = (fn: FnNode, input: FieldTaint, at: SourceLocation | undefined, pick: FunctionPick) => FunctionTaint;

/** Records which field carries a taint and which step stamped it, for messages that show the path. */
function carried(fields: FieldTaint, introducedBy: string): FieldTaint {
  return new Map(
    [...fields].map(([field, origin]) => [
      field,
      { ...origin, viaField: origin.viaField ?? field, introducedBy: origin.introducedBy ?? introducedBy },
    ]),
  );
}

function columnTaint(sink: SinkNode, column: ColumnNode, row: FieldTaint, analyze: Analyze): TaintOrigin | undefined {
  if (column.from.type === 'field') return row.get(column.from.field);
  const path = sink.id === column ? ['id'] : ['key', column.column];
  return analyze(column.from.fn, row, sink.location, { property: path }).result;
}

function sinkUses(
  sink: SinkNode,
  row: FieldTaint,
  node: { readonly location?: SourceLocation },
  analyze: Analyze,
): KeyUse[] {
  const uses: KeyUse[] = [];
  if (sink.mode === 'system-of-record') {
    if (sink.id)
      uses.push({ role: 'event-id', node, sink, column: sink.id, taint: columnTaint(sink, sink.id, row, analyze) });
    return uses;
  }
  for (const column of sink.key)
    uses.push({ role: 'sink-key', node: sink, sink, column, taint: columnTaint(sink, column, row, analyze) });
  return uses;
}

/**
 * Follows the record through the pipeline's steps, carrying which fields hold
 * clock or random values, and lists every place a value becomes an identity
 * (event time, group key, sink key column, event id) with its taint if any.
 * A taint introduced by a `.map` and used by a later window is found here.
 */
export function keyUses(pipeline: PipelineNode, programs: ProgramSource = diskPrograms): readonly KeyUse[] {
  // IDEM003 and IDEM007 both ask, for the same pipeline: read its functions once.
  const cached = computed.get(pipeline);
  if (cached?.programs === programs) return cached.uses;
  const uses = computeKeyUses(pipeline, programs);
  computed.set(pipeline, { programs, uses });
  return uses;
}

const computed = new WeakMap<PipelineNode, { readonly programs: ProgramSource; readonly uses: readonly KeyUse[] }>();

function computeKeyUses(pipeline: PipelineNode, programs: ProgramSource): readonly KeyUse[] {
  /** Passes the function's position when known, so a taint can point at the exact clock or random call and helpers are followed. */
  const analyze: Analyze = (fn, input, at, pick) =>
    analyzeFunction(fn.source, input, 0, fn.location ?? userFunctionLocation(programs, at, pick, fn.source), programs);
  const firstArgument = { argument: 0 };
  const uses: KeyUse[] = [];
  let fields: FieldTaint = new Map();
  let aggregated = false;
  for (const step of pipeline.steps) {
    switch (step.kind) {
      case 'Map':
      case 'FlatMap':
        fields = carried(
          analyze(step.fn, fields, step.location, firstArgument).outputFields,
          stepLabel(step.kind, step.location),
        );
        break;
      case 'EventTime':
        uses.push({
          role: 'event-time',
          node: step,
          taint: analyze(step.fn, fields, step.location, firstArgument).result,
        });
        break;
      case 'GroupBy': {
        const taint =
          step.by.type === 'field'
            ? fields.get(step.by.field)
            : analyze(step.by.fn, fields, step.location, firstArgument).result;
        uses.push({ role: 'group-key', node: step, taint });
        break;
      }
      case 'Archive':
        uses.push(...sinkUses(step.sink, fields, step, analyze));
        break;
      case 'Aggregate':
        // The row's key and window were checked where they were made (group key, event time);
        // from here on only what sink columns compute themselves can add a taint.
        aggregated = true;
        fields = new Map();
        break;
      case 'Parse':
      case 'Filter':
      case 'Window':
        break;
    }
  }
  uses.push(...sinkUses(pipeline.sink, aggregated ? new Map() : fields, pipeline.sink, analyze));
  return uses;
}

/** " (field `ts`, stamped by .map at x.ts:3:4)" or "". */
export function describeTaintPath(origin: TaintOrigin): string {
  if (!origin.viaField) return '';
  return ` (in field \`${origin.viaField}\`${origin.introducedBy ? `, set by ${origin.introducedBy}` : ''})`;
}

/** Where to report a tainted use: the exact clock or random call when its position is known (the lint), else `fallback`. */
export function taintedAt(
  use: KeyUse,
  fallback: { readonly location?: SourceLocation } = use.node,
): { readonly location?: SourceLocation } {
  return use.taint?.location ? { location: use.taint.location } : fallback;
}
