import type { SinkNode } from '../../ir/index.ts';
import { counterUpdates, type CounterUpdate } from './counter-updates.ts';
import { functionAt } from './function-at.ts';
import { userFunctionLocation } from './locate-user-function.ts';
import type { ProgramSource } from './program-source.ts';

/**
 * The counter update a custom sink's `write` sends, read from its body and
 * the helpers it calls: what the sink does, against what it declares.
 * Undefined when it sends none the analysis can read, or `write` cannot be
 * found in its file.
 */
export function counterUpdateOfSink(sink: SinkNode, programs: ProgramSource): CounterUpdate | undefined {
  if (!sink.write) return undefined;
  // The lint places a `write` it could not evaluate (`store.write.bind(store)`) at that expression: then it is
  // looked for from the sink's call, as `check` does.
  const own = sink.write.location && functionAt(programs, sink.write.location);
  const at = own ? undefined : userFunctionLocation(programs, sink.location, { property: ['write'] });
  const located = own ?? (at && functionAt(programs, at));
  return located && counterUpdates(located.origins.checker).inFunction(located.fn);
}
