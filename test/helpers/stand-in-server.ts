/**
 * Stand-ins for the servers `scripts/services` runs: a `java` on the PATH that
 * is node, and a service whose "server" is a node one-liner listening on a
 * port. Nothing is downloaded (the lib folder is marked fetched).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceSpec } from '../../scripts/servers/service.ts';

/** A folder holding a `java` that runs node with the same arguments; put it first on the PATH. */
export function fakeJava(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'java'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
  chmodSync(join(bin, 'java'), 0o755);
  return bin;
}

/** A "server" that listens on its port at `bindTo`, in the cache folder `cache`. */
export function listenerSpec(
  name: string,
  port: number,
  cache: string,
  extra: Partial<ServiceSpec> = {},
  bindTo = '127.0.0.1',
): ServiceSpec {
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
    ...extra,
  };
}
