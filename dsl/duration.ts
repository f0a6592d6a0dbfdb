import { durationMs, unitMs, type SourceLocation } from '../compiler/ir/index.ts';
import { BuildError } from './build-error.ts';

/** A duration: milliseconds, or units that add up (`{ minutes: 1, seconds: 30 }`). */
export type Duration =
  | number
  | {
      readonly ms?: number;
      readonly seconds?: number;
      readonly minutes?: number;
      readonly hours?: number;
      readonly days?: number;
    };

export function toMillis(
  call: string,
  argument: string,
  duration: Duration,
  location?: SourceLocation,
  allowZero = false,
): number {
  if (typeof duration === 'object' && duration !== null) {
    for (const [unit, amount] of Object.entries(duration)) {
      if (!(unit in unitMs))
        throw new BuildError(
          call,
          `${argument} has an unknown unit "${unit}" (use ${Object.keys(unitMs).join(', ')})`,
          location,
        );
      if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
        throw new BuildError(
          call,
          `${argument}.${unit} must be a non-negative number, got ${JSON.stringify(amount)}`,
          location,
        );
      }
    }
  } else if (typeof duration !== 'number') {
    throw new BuildError(
      call,
      `${argument} must be milliseconds or { seconds, minutes, … }, got ${JSON.stringify(duration)}`,
      location,
    );
  }
  // Checked above, so what it means is `durationMs`'s (compiler/ir), shared with the lint.
  const total = durationMs(duration);
  if (!Number.isFinite(total) || total < 0 || (!allowZero && total === 0) || !Number.isInteger(total)) {
    throw new BuildError(
      call,
      `${argument} must be a ${allowZero ? 'non-negative' : 'positive'} whole number of milliseconds, got ${total}`,
      location,
    );
  }
  return total;
}
