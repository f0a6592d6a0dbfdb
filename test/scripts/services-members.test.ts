/**
 * A service of several JVMs (a Flink cluster: a JobManager and its
 * TaskManagers): `up` starts the members beside the main process and
 * restarts one that died, `status` names each, `down` stops them all. A
 * stand-in `java` (node) plays every process, so nothing is downloaded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemberSpec, ServiceSpec } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';
import { fakeJava, listenerSpec } from '../helpers/stand-in-server.ts';

// One folder for the file (the per-test temp folders go after each test; the cache is read at import).
const dir = mkdtempSync(join(tmpdir(), 'idemflow-members-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cache = join(dir, 'cache');
process.env.IDEMFLOW_CACHE = cache; // read when config.ts loads, below
process.env.PATH = `${fakeJava(dir)}:${process.env.PATH}`;
const { down, memberPaths, paths, status, up } = await import('../../scripts/servers/service.ts');
const { pidAlive } = await import('../../scripts/servers/processes.ts');

const sleeper = (name: string): MemberSpec => ({ name, javaArgs: () => ['-e', 'setInterval(() => {}, 1000)'] });

/** A main process listening on `port` with the given members. */
const cluster = (name: string, port: number, members: MemberSpec[]): ServiceSpec =>
  listenerSpec(name, port, cache, { members });

const pidIn = (file: string) => Number(readFileSync(file, 'utf8'));

describe('scripts/services: a service of several processes', () => {
  it('up starts every member; status names them; a killed member is restarted alone by the next up; down stops all', async () => {
    const s = cluster(`members-${process.pid}`, await freePort(), [sleeper('worker-1'), sleeper('worker-2')]);
    try {
      const lines: string[] = [];
      expect(await up(s, (l) => lines.push(l))).toBe(true);
      expect(lines.filter((l) => /starting worker-\d \(pid \d+\), log \S+worker-\d\.log$/.test(l))).toHaveLength(2);
      const main = pidIn(paths(s).pid);
      const [w1, w2] = s.members!.map((m) => pidIn(memberPaths(s, m).pid));
      expect(await status(s)).toBe(
        `${s.name}: running (pid ${main}) on 127.0.0.1:${s.port} with worker-1 (pid ${w1}), worker-2 (pid ${w2})`,
      );

      process.kill(w1!, 'SIGKILL');
      while (pidAlive(w1!)) await new Promise((r) => setTimeout(r, 50));
      expect(await status(s)).toBe(
        `${s.name}: running (pid ${main}) on 127.0.0.1:${s.port} with worker-1 not running, worker-2 (pid ${w2}) (scripts/services up ${s.name} restarts it)`,
      );
      const again: string[] = [];
      expect(await up(s, (l) => again.push(l))).toBe(false);
      expect(again.filter((l) => l.includes('starting'))).toEqual([
        expect.stringMatching(new RegExp(`^${s.name}: starting worker-1 \\(pid \\d+\\)`)),
      ]);
      const w1After = pidIn(memberPaths(s, s.members![0]!).pid);
      expect(w1After).not.toBe(w1);
      expect(pidAlive(w1After)).toBe(true);
      expect(pidIn(paths(s).pid)).toBe(main);

      await down(s, () => {});
      for (const pid of [main, w1After, w2!]) expect(pidAlive(pid), `pid ${pid}`).toBe(false);
      expect(await status(s)).toBe(`${s.name}: stopped`);
    } finally {
      await down(s, () => {});
    }
  }, 60_000);

  it('a member that exits while starting fails up, naming it and its log', async () => {
    const dies: MemberSpec = { name: 'broken', javaArgs: () => ['-e', 'process.exit(3)'] };
    const s = cluster(`members-dies-${process.pid}`, await freePort(), [sleeper('worker-1'), dies]);
    // Ready never: only the member's exit can end the wait early.
    const never = { ...s, ready: () => Promise.reject(new Error('not yet')) };
    try {
      await expect(up(never, () => {})).rejects.toThrow(
        `${s.name}: broken exited while starting; see ${memberPaths(s, dies).log}`,
      );
    } finally {
      await down(s, () => {});
    }
    expect(await status(s)).toBe(`${s.name}: stopped`);
  }, 60_000);

  it('status names a member left running after its main process died, and down stops it', async () => {
    const s = cluster(`members-orphan-${process.pid}`, await freePort(), [sleeper('worker-1')]);
    try {
      await up(s, () => {});
      const main = pidIn(paths(s).pid);
      const worker = pidIn(memberPaths(s, s.members![0]!).pid);
      process.kill(main, 'SIGKILL');
      while (pidAlive(main)) await new Promise((r) => setTimeout(r, 50));
      expect(await status(s)).toBe(
        `${s.name}: stopped, but worker-1 (pid ${worker}) still running: scripts/services down ${s.name} stops it`,
      );
      await down(s, () => {});
      expect(pidAlive(worker)).toBe(false);
    } finally {
      await down(s, () => {});
    }
  }, 60_000);
});
