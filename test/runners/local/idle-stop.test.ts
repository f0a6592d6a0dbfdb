import { describe, expect, it } from 'vitest';
import { idleStopDue } from '../../../runners/local/idle-stop.ts';
import type { SourceBatch } from '../../../runtime/sources/source-reader.ts';

const empty = (pending?: number[]): SourceBatch => ({
  values: [],
  position: () => '',
  done: false,
  ...(pending ? { pendingSplits: () => pending } : {}),
});

function recorder() {
  const lines: string[] = [];
  let said = false;
  return {
    lines,
    say: {
      once: (l: string) => {
        if (!said) lines.push(l);
        said = true;
      },
      log: (l: string) => lines.push(l),
    },
  };
}

describe('--until-idle with records known but not read', () => {
  it('stops at the limit when nothing is pending, and not before', () => {
    const r = recorder();
    expect(idleStopDue(empty(), 99, 100, r.say)).toBe(false);
    expect(idleStopDue(empty([]), 100, 100, r.say)).toBe(true);
    expect(r.lines).toEqual([]);
  });

  it('waits past the limit while partitions are pending, says so once, and stops after the grace naming them', () => {
    const r = recorder();
    expect(idleStopDue(empty([0, 1]), 150, 100, r.say, 1_000)).toBe(false);
    expect(idleStopDue(empty([1]), 900, 100, r.say, 1_000)).toBe(false);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/partitions \[0, 1\] hold records not read yet; waiting up to 1 s more/);
    expect(idleStopDue(empty([1]), 1_100, 100, r.say, 1_000)).toBe(true);
    expect(r.lines[1]).toMatch(/stopping with partitions \[1\] not read to the end .* the next run reads them/);
  });
});
