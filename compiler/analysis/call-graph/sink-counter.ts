import type { SinkNode } from '../../ir/index.ts';
import { counterUpdates, type CounterUpdate } from './counter-updates.ts';
import { functionAt, type LocatedFunction } from './function-at.ts';
import { repeatedWrites, type RepeatedWrite } from './repeated-writes.ts';
import { userFunctionLocation } from './locate-user-function.ts';
import type { ProgramSource } from './program-source.ts';

/**
 * The counter update a custom sink's `write` sends, read from its body and
 * the helpers it calls: what the sink does, against what it declares.
 * Undefined when it sends none the analysis can read, or `write` cannot be
 * found in its file.
 */
export function counterUpdateOfSink(sink: SinkNode, programs: ProgramSource): CounterUpdate | undefined {
  const located = writeFunctionOf(sink, programs);
  return (
    located &&
    counterUpdates(located.origins.checker, located.origins.passedFor, located.origins.program).inFunction(located.fn)
  );
}

/** Another write a repetition applies again (repeated-writes.ts): an append, a read value changed, a kept total. */
export function repeatedWriteOfSink(sink: SinkNode, programs: ProgramSource): RepeatedWrite | undefined {
  const located = writeFunctionOf(sink, programs);
  return located && repeatedWrites(located.origins.checker).inFunction(located.fn);
}

/** The sink's `write` function, read where it is written. */
function writeFunctionOf(sink: SinkNode, programs: ProgramSource): LocatedFunction | undefined {
  if (!sink.write) return undefined;
  // The lint places a `write` it could not evaluate (`store.write.bind(store)`) at that expression: then it is
  // looked for from the sink's call, as `check` does.
  const own = sink.write.location && functionAt(programs, sink.write.location);
  const at = own ? undefined : userFunctionLocation(programs, sink.location, { property: ['write'] });
  return own ?? (at ? functionAt(programs, at) : undefined);
}
