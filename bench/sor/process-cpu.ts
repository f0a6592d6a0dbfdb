import { readFileSync } from 'node:fs';

/** Clock ticks a second of /proc's utime and stime (USER_HZ: 100 on Linux, whatever the kernel's own HZ). */
const ticksPerSecond = 100;

/**
 * CPU milliseconds (user + system) another process has used so far, from
 * /proc/<pid>/stat; undefined where it cannot be read (no /proc, the process
 * gone). The process name (field 2) may hold spaces, so fields are counted
 * from after its closing parenthesis.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime) are the 12th and 13th after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** This process's CPU milliseconds (user + system) since `from`. */
export function ownCpuMs(from = 0): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000 - from;
}
