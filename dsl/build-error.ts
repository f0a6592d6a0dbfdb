import type { SourceLocation } from '../compiler/ir/index.ts';
import { UserFacingError } from '../runtime/user-facing-error.ts';

/**
 * A pipeline that cannot be built: a bad argument to a DSL call. The message
 * names the call, the argument and where it was made, so that one line is
 * enough to fix it.
 */
export class BuildError extends UserFacingError {
  override readonly name = 'BuildError';
  constructor(
    readonly call: string,
    readonly problem: string,
    readonly location?: SourceLocation,
  ) {
    super(`${call}: ${problem}${location ? ` (at ${location.file}:${location.line}:${location.column})` : ''}`);
  }
}
