import { UserFacingError } from './user-facing-error.ts';

/** A run that cannot go on for a reason the user can fix (a bad option, an unreachable input). */
export class RunnerError extends UserFacingError {
  override readonly name = 'RunnerError';
}
