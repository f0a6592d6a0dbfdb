import { describe, expect, it } from 'vitest';
import { ownCpuMs, processCpuMs } from '../../bench/sor/process-cpu.ts';

describe("another process's CPU time, read from /proc (the sor bench's Cassandra side)", () => {
  it("read for this very process, it agrees with Node's own count within /proc's 10 ms ticks", () => {
    const before = ownCpuMs();
    let x = 0;
    while (ownCpuMs() - before < 120) x += Math.sqrt(x + 1);
    const read = processCpuMs(process.pid);
    const after = ownCpuMs();
    expect(x).toBeGreaterThan(0);
    expect(read).toBeGreaterThanOrEqual(before - 20);
    expect(read).toBeLessThanOrEqual(after + 20);
  });

  it('undefined for no pid, or a process that is not there', () => {
    expect(processCpuMs(undefined)).toBeUndefined();
    expect(processCpuMs(2 ** 30)).toBeUndefined();
  });
});
