/**
 * An error the user can act on (a bad option, an unreachable input), as
 * opposed to a bug: the CLI prints its one-line message without a stack.
 */
export class RunnerError extends Error {
  override readonly name = 'RunnerError';
  readonly userFacing = true;
}
