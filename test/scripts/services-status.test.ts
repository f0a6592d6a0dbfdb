/**
 * `scripts/services status` and `up` read where a running server listens (from /proc) and say when it
 * listens beyond its address and loopback: a job server an older idemflow started listened on every
 * interface, and nothing said so. A stand-in `java` (node) plays the server, so nothing is downloaded.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function fakeJava(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'java'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
  chmodSync(join(bin, 'java'), 0o755);
  return bin;
}

/** A "server" that listens on its port at `bindTo` (marked fetched: no mvn). */
function listener(name: string, port: number, bindTo: string, cache: string): ServiceSpec {
  mkdirSync(join(cache, name, 'lib'), { recursive: true });
  writeFileSync(join(cache, name, 'lib', '.complete'), 'test');
  return {
    name,
    host: '127.0.0.1',
    port,
    pom: 'unused.xml',
    startTimeoutMs: 30_000,
    prepare() {},
    javaArgs: () => ['-e', `require('node:net').createServer((s) => s.end()).listen(${port}, '${bindTo}')`],
    ready: async () => {},
  };
}

describe('scripts/services: a server listening beyond loopback is named', () => {
  it('status and a second up say where, and how to fix it; a loopback one is plain', async () => {
    const dir = tempDir('idemflow-status-');
    process.env.IDEMFLOW_CACHE = join(dir, 'cache'); // read when config.ts loads, below
    process.env.PATH = `${fakeJava(dir)}:${process.env.PATH}`;
    const { down, status, up } = await import('../../scripts/servers/service.ts');
    const open = listener('wide', await freePort(), '::', join(dir, 'cache'));
    const closed = listener('narrow', await freePort(), '127.0.0.1', join(dir, 'cache'));
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
