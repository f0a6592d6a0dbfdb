/**
 * `scripts/services up` starts the servers side by side. On a cold machine one
 * server's first fetch (mvn, minutes) ran while another was starting; a fetch
 * that blocked the event loop froze that other server's readiness wait until
 * its deadline had passed ("kafka did not become ready … (port closed)").
 * Here a stand-in `mvn` first on PATH makes one fetch slow, and a stand-in
 * `java` starts a tiny TCP server, so nothing is downloaded.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const slowFetchSeconds = 20;
const quickStartTimeoutMs = 12_000;

/** Stand-ins for mvn and java, first on PATH. */
function fakeTools(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'mvn'),
    `#!/bin/sh
# mvn -v answers at once; a fetch of a pom named *slow* takes ${slowFetchSeconds} s; each leaves one jar.
for arg; do
  case "$arg" in
    -v) exit 0 ;;
    -DoutputDirectory=*) out="\${arg#-DoutputDirectory=}" ;;
    *slow*) slow=1 ;;
  esac
done
[ -n "$slow" ] && sleep ${slowFetchSeconds}
touch "$out/server.jar"
`,
  );
  writeFileSync(join(bin, 'java'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
  chmodSync(join(bin, 'mvn'), 0o755);
  chmodSync(join(bin, 'java'), 0o755);
  return bin;
}

/** A service whose "server" is a TCP listener on `port`, ready once the port answers. */
function tcpService(
  name: string,
  port: number,
  startTimeoutMs: number,
  portOpen: (port: number) => Promise<boolean>,
): ServiceSpec {
  return {
    name,
    host: '127.0.0.1',
    port,
    pom: `${name}-pom.xml`,
    prepare: () => {},
    javaArgs: () => ['-e', `require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1')`],
    ready: async () => {
      if (!(await portOpen(port))) throw new Error('port closed');
    },
    startTimeoutMs,
  };
}

describe('scripts/services up', () => {
  it("one server's slow first fetch does not freeze the readiness wait of another started beside it", async () => {
    const dir = tempDir('idemflow-services-');
    process.env.IDEMFLOW_CACHE = join(dir, 'cache'); // read when config.ts loads, below
    process.env.PATH = `${fakeTools(dir)}:${process.env.PATH}`;
    const { down, portOpen, up } = await import('../../scripts/servers/service.ts');
    const quick = tcpService('quick', await freePort(), quickStartTimeoutMs, portOpen);
    const slow = tcpService('slow', await freePort(), 10_000, portOpen);
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const t0 = Date.now();
    // Both settle before the servers are stopped (their pid files live in the temporary cache).
    const results = await Promise.allSettled([up(quick, log), up(slow, log)]);
    for (const s of [quick, slow]) await down(s, () => {});
    const [quickStarted, slowStarted] = results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)));
    expect([quickStarted, slowStarted]).toEqual([true, true]);
    // The quick server was ready while the slow one was still fetching.
    const quickReady = lines.findIndex((l) => l.startsWith('quick: ready'));
    const slowStarting = lines.findIndex((l) => l.startsWith('slow: starting'));
    expect(quickReady, lines.join('\n')).toBeGreaterThanOrEqual(0);
    expect(quickReady, lines.join('\n')).toBeLessThan(slowStarting);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(slowFetchSeconds * 1000);
  }, 120_000);
});
