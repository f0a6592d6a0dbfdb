/**
 * `scripts/services status` and `up` read where a running server listens (from /proc) and say when it
 * listens beyond its address and loopback: a job server an older idemflow started listened on every
 * interface, and nothing said so. A stand-in `java` (node) plays the server, so nothing is downloaded.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';
import { fakeJava, listenerSpec } from '../helpers/stand-in-server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('scripts/services: a server listening beyond loopback is named', () => {
  it('status and a second up say where, and how to fix it; a loopback one is plain', async () => {
    const dir = tempDir('idemflow-status-');
    process.env.IDEMFLOW_CACHE = join(dir, 'cache'); // read when config.ts loads, below
    process.env.PATH = `${fakeJava(dir)}:${process.env.PATH}`;
    const { down, status, up } = await import('../../scripts/servers/service.ts');
    const open = listenerSpec('wide', await freePort(), join(dir, 'cache'), {}, '::');
    const closed = listenerSpec('narrow', await freePort(), join(dir, 'cache'));
    try {
      for (const s of [open, closed]) expect(await up(s, () => {})).toBe(true);
      expect(await status(open)).toMatch(
        new RegExp(
          `^wide: running \\(pid \\d+\\) on 127\\.0\\.0\\.1:${open.port}, but also listens on \\[::\\]:${open.port}: restart it \\(scripts/services down wide, then up\\)$`,
        ),
      );
      expect(await status(closed)).toMatch(
        new RegExp(`^narrow: running \\(pid \\d+\\) on 127\\.0\\.0\\.1:${closed.port}$`),
      );
      const lines: string[] = [];
      expect(await up(open, (l) => lines.push(l))).toBe(false);
      expect(lines).toContain(
        `wide: WARNING: also listens on [::]:${open.port}: restart it (scripts/services down wide, then up)`,
      );
    } finally {
      for (const s of [open, closed]) await down(s, () => {});
    }
  }, 60_000);
});
