/**
 * Marks an error as the user's to act on. `Symbol.for`, not the class itself: a CommonJS pipeline
 * loaded through tsx's require hooks may get a second copy of idemflow's classes, whose errors fail
 * `instanceof` against this copy but carry the same registered symbol.
 */
const userFacing: unique symbol = Symbol.for('idemflow.user-facing-error');

/**
 * An error the user can act on (a bad DSL argument, a bad option, an unreadable file, an unreachable
 * input), as opposed to a bug: the CLI prints its one-line message without a stack. `BuildError`,
 * `UsageError`, `RunnerError` and the connectors' errors derive from it. A leaf module, imported by
 * every layer, importing nothing.
 */
export class UserFacingError extends Error {
  readonly [userFacing] = true;
}

/** Whether `error` is a `UserFacingError`, from this copy of idemflow or another. */
export function isUserFacing(error: unknown): error is UserFacingError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[userFacing] === true;
}
