import { SinkNode, type FnNode, type PipelineNode, type SourceLocation } from '../../ir/index.ts';
import { analyzeFunction } from '../taint.ts';
import { userFunctionLocation, type FunctionPick } from './locate-user-function.ts';
import type { ProgramSource } from './program-source.ts';
import { locationOfNode } from './nondet.ts';

export interface NotFollowedUse {
  /** What the function computes: "the group key", "key column `day` of ks.t". */
  readonly role: string;
  readonly what: string;
  readonly why: string;
  readonly location: SourceLocation;
}

interface Checked {
  readonly role: string;
  readonly fn: FnNode;
  readonly at: SourceLocation | undefined;
  readonly pick: FunctionPick;
}

function sinkFunctions(sink: SinkNode): Checked[] {
  const label = SinkNode.label(sink);
  const found: Checked[] = [];
  if (sink.id?.from.type === 'fn')
    found.push({
      role: `the event id of ${label}`,
      fn: sink.id.from.fn,
      at: sink.location,
      pick: { property: ['id'] },
    });
  for (const column of sink.key) {
    if (column.from.type === 'fn')
      found.push({
        role: `key column \`${column.column}\` of ${label}`,
        fn: column.from.fn,
        at: sink.location,
        pick: { property: ['key', column.column] },
      });
  }
  return found;
}

/** The functions whose results become identities or decide what is aggregated. */
function checkedFunctions(pipeline: PipelineNode): Checked[] {
  const found: Checked[] = [];
  const first = { argument: 0 };
  for (const step of pipeline.steps) {
    if (step.kind === 'EventTime') found.push({ role: 'the event time', fn: step.fn, at: step.location, pick: first });
    if (step.kind === 'Filter') found.push({ role: 'the filter', fn: step.fn, at: step.location, pick: first });
    if (step.kind === 'GroupBy' && step.by.type === 'fn')
      found.push({ role: 'the group key', fn: step.by.fn, at: step.location, pick: first });
    if (step.kind === 'Archive') found.push(...sinkFunctions(step.sink));
  }
  return [...found, ...sinkFunctions(pipeline.sink)];
}

/**
 * Calls and names the analysis could not follow inside the functions that
 * make keys, event times, ids and filters, where nothing else was found:
 * a "clean" there is only as good as what was read, so the reviewer is told.
 */
export function notFollowedIn(pipeline: PipelineNode, programs: ProgramSource): NotFollowedUse[] {
  const out: NotFollowedUse[] = [];
  for (const { role, fn, at, pick } of checkedFunctions(pipeline)) {
    const location = fn.location ?? userFunctionLocation(programs, at, pick, fn.source);
    const analysis = analyzeFunction(fn.source, new Map(), 0, location, programs);
    if (analysis.result) continue;
    for (const note of analysis.notFollowed)
      out.push({ role, what: note.what, why: note.why, location: locationOfNode(note.at) });
  }
  return out;
}
