import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { servicesHost } from '../../scripts/servers/services-host.ts';
import { repoRoot } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('IDEMFLOW_SERVICES_HOST: where Kafka and Cassandra listen', () => {
  it('is 127.0.0.1 unless set; one address of the machine when set', () => {
    expect(servicesHost(undefined)).toBe('127.0.0.1');
    expect(servicesHost('')).toBe('127.0.0.1');
    expect(servicesHost('10.0.0.5')).toBe('10.0.0.5');
    expect(servicesHost('::1')).toBe('::1');
  });

  it.each(['0.0.0.0', '::', '0:0:0:0:0:0:0:0'])('refuses the wildcard %s, which would open every interface', (v) => {
    expect(() => servicesHost(v)).toThrow(`IDEMFLOW_SERVICES_HOST=${v} would open every interface`);
  });

  it.each(['localhost', '10.0.0.5:9092', '*'])('refuses %s: not one IP address', (v) => {
    expect(() => servicesHost(v)).toThrow(`IDEMFLOW_SERVICES_HOST must be an IP address of this machine`);
  });

  it('Kafka and Cassandra are configured to listen there, and only there', async () => {
    vi.stubEnv('IDEMFLOW_SERVICES_HOST', '10.0.0.5');
    const { kafka } = await import('../../scripts/servers/kafka.ts');
    const { cassandra } = await import('../../scripts/servers/cassandra.ts');
    const { flinkJobServer } = await import('../../scripts/servers/flink-job-server.ts');
    const { kafkaPort, kafkaControllerPort, cassandraPort } = await import('../../scripts/servers/config.ts');
    const run = tempDir();
    // Storage already formatted: prepare only writes the configuration.
    mkdirSync(join(run, 'data'));
    writeFileSync(join(run, 'data', 'meta.properties'), '');
    await kafka.prepare(run, join(run, 'lib'));
    await cassandra.prepare(run, join(run, 'lib'));
    const kafkaConfig = readFileSync(join(run, 'server.properties'), 'utf8');
    expect(kafkaConfig).toContain(
      `listeners=PLAINTEXT://10.0.0.5:${kafkaPort},CONTROLLER://10.0.0.5:${kafkaControllerPort}`,
    );
    expect(kafkaConfig).toContain(`advertised.listeners=PLAINTEXT://10.0.0.5:${kafkaPort}`);
    expect(cassandra.host).toBe('10.0.0.5');
    expect(cassandra.port).toBe(cassandraPort);
    const cassandraConfig = readFileSync(join(run, 'cassandra.yaml'), 'utf8');
    expect(cassandraConfig).toMatch(/^listen_address: 10\.0\.0\.5$/m);
    expect(cassandraConfig).toMatch(/^rpc_address: 10\.0\.0\.5$/m);
    // Beam's job server stays on loopback: its job API runs submitted code.
    expect(flinkJobServer.host).toBe('127.0.0.1');
    expect(flinkJobServer.javaArgs(run, join(run, 'lib'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^-javaagent:.*idemflow-bind-agent-\w+\.jar=127\.0\.0\.1$/),
        '--job-host=127.0.0.1',
      ]),
    );
  });

  it('scripts/services refuses a wildcard in one line, without a stack trace', () => {
    const result = spawnSync(join(repoRoot, 'scripts/services'), ['status'], {
      encoding: 'utf8',
      env: { ...process.env, IDEMFLOW_SERVICES_HOST: '0.0.0.0' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'services: IDEMFLOW_SERVICES_HOST=0.0.0.0 would open every interface; name the one address to listen on (e.g. 10.0.0.5), or unset it for 127.0.0.1',
    );
    expect(result.stdout).toBe('');
  });
});
