import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheDir, host } from '../../scripts/servers/config.ts';
import { down, paths, portOpen, up, type ServiceSpec } from '../../scripts/servers/service.ts';
import { freePort } from '../helpers/free-port.ts';

/** A stand-in server: a single-file Java program that listens on the port (no download: its lib is marked fetched). */
function listenerSpec(name: string, port: number): ServiceSpec {
  const { lib } = paths({ name });
  mkdirSync(lib, { recursive: true });
  writeFileSync(join(lib, '.complete'), 'test');
  const program = join(cacheDir, name, 'Listen.java');
  writeFileSync(
    program,
    `public class Listen { public static void main(String[] a) throws Exception {
    java.net.ServerSocket s = new java.net.ServerSocket(Integer.parseInt(a[0]), 50, java.net.InetAddress.getByName("${host}"));
    while (true) s.accept().close(); } }`,
  );
  return {
    name,
    host,
    port,
    pom: 'unused.xml',
    startTimeoutMs: 60_000,
    prepare() {},
    javaArgs: () => [program, String(port)],
    ready: async () => {
      if (!(await portOpen(port))) throw new Error('closed');
    },
  };
}

const made: ServiceSpec[] = [];
afterEach(async () => {
  for (const s of made.splice(0)) {
    await down(s, () => {});
    rmSync(paths(s).base, { recursive: true, force: true });
  }
});

describe('scripts/services up', () => {
  it('two `up` calls at once start one server, and both see it running', async () => {
    const spec = listenerSpec(`lock-test-${process.pid}-${Date.now()}`, await freePort());
    made.push(spec);
    const lines: string[] = [];
    const results = await Promise.all([up(spec, (l) => lines.push(l)), up(spec, (l) => lines.push(l))]);
    // Exactly one call started it; before the start lock, both started java and the loser's pid replaced the winner's.
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(lines.filter((l) => l.includes(': starting (pid'))).toHaveLength(1);
    const pid = Number(readFileSync(paths(spec).pid, 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(await portOpen(spec.port)).toBe(true);
  }, 90_000);
});
