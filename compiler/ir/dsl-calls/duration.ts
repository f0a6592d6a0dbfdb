import { unitMs } from '../duration-units.ts';

/** A duration as the DSL takes it: milliseconds, or units that add up (`{ minutes: 1, seconds: 30 }`). */
export type DurationValue = number | Readonly<Record<string, unknown>>;

/**
 * Its milliseconds; NaN when a unit is unknown or an amount is not a number (the DSL has refused
 * those before calling; the lint, which reads without running, gets NaN for what it cannot read).
 */
export function durationMs(duration: DurationValue): number {
  if (typeof duration === 'number') return duration;
  const units: Readonly<Record<string, number>> = unitMs;
  let total = 0;
  for (const [unit, amount] of Object.entries(duration))
    total += typeof amount === 'number' && Object.hasOwn(units, unit) ? amount * units[unit]! : Number.NaN;
  return total;
}
