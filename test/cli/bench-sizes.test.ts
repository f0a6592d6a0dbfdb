import { describe, expect, it } from 'vitest';
import { benchSizes } from '../../cli/bench-sizes.ts';
import { runCli } from '../helpers/run-cli.ts';

describe('bench --sizes: a bad size is refused naming the value, where it is and what is wanted', () => {
  it.each([
    ['local', '2000000,0', '--sizes: 0 (size 2 of "2000000,0") is not a size: each is at least 1'],
    [
      'local',
      '10,,20',
      '--sizes: "" (size 2 of "10,,20") is not a whole number; give whole numbers separated by commas',
    ],
    ['local', '1.5', '--sizes: "1.5" is not a whole number'],
    ['local', '-5', '--sizes: "-5" is not a whole number'],
    ['local', '1e3', '--sizes: "1e3" is not a whole number'],
    ['state', '0,0', 'bench state takes 0 only as size 2, which leaves the 10⁷-key run out'],
  ])('bench %s --sizes %s: exit 2, one line', (name, sizes, message) => {
    const r = runCli(['bench', name, '--sizes', sizes]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("state's second size may be 0 (its 10⁷-key run left out); whole numbers pass as numbers", () => {
    expect(benchSizes('state', '--sizes', '2000000,0')).toEqual([2_000_000, 0]);
    expect(benchSizes('local', '--sizes', '10000,100000')).toEqual([10_000, 100_000]);
    expect(() => benchSizes('state', '--beam-sizes', '10,0')).toThrow(
      '--beam-sizes: 0 (size 2 of "10,0") is not a size',
    );
  });
});
