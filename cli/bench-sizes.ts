import { UsageError } from './usage-error.ts';

/**
 * Which sizes of `--sizes` a benchmark reads as "leave this run out" when 0: `state`'s second size is the event
 * count of its 10⁷-key run, which a shared machine may not afford (see bench/state.ts).
 */
const zeroLeavesOut: Readonly<Record<string, { readonly position: number; readonly meaning: string }>> = {
  state: { position: 2, meaning: 'leaves the 10⁷-key run out' },
};

/**
 * `--sizes` (or `--beam-sizes`) of benchmark `name` as counts (of events, or keys for state-stores): whole numbers ≥ 1, comma-separated; 0 only
 * where the benchmark gives it a meaning. A bad size is named with its position in the list and what is wanted.
 */
export function benchSizes(name: string, flag: string, list: string): number[] {
  const parts = list.split(',');
  const zero = flag === '--sizes' ? zeroLeavesOut[name] : undefined;
  return parts.map((text, i) => {
    const at = parts.length > 1 ? ` (size ${i + 1} of "${list}")` : '';
    const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n))
      throw new UsageError(
        `${flag}: "${text}"${at} is not a whole number; give whole numbers separated by commas, e.g. 10000,100000`,
      );
    if (n === 0 && zero?.position !== i + 1)
      throw new UsageError(
        `${flag}: 0${at} is not a size: each is at least 1${zero ? ` (bench ${name} takes 0 only as size ${zero.position}, which ${zero.meaning})` : ''}`,
      );
    return n;
  });
}
