import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';

const secret = 'pa55-W0RD-never-print-me';
const env = { IDEMFLOW_CASSANDRA_USERNAME: 'ops', IDEMFLOW_CASSANDRA_PASSWORD: secret };

describe('secrets', () => {
  it('--print-config shows the configuration with the password redacted', () => {
    const r = runCli(
      ['run', 'pipelines/demo/sensor-aggregates.ts', '--print-config', '--cassandra', '127.0.0.1:9042'],
      { env },
    );
    expect(r.status).toBe(0);
    const config = JSON.parse(r.stdout) as {
      cassandra: { username: string; password: string; contactPoints: string[] };
      environment: Record<string, string>;
    };
    expect(config.cassandra).toMatchObject({
      username: 'ops',
      password: '***set***',
      contactPoints: ['127.0.0.1:9042'],
    });
    expect(config.environment.IDEMFLOW_CASSANDRA_PASSWORD).toBe('***set***');
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('a failing connection with --verbose prints no secret', () => {
    const r = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--cassandra', '127.0.0.1:1', '--verbose', '-q'], {
      env,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot reach Cassandra at 127\.0\.0\.1:1/);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  it('there is no way to pass a password on the command line', () => {
    const r = runCli(['run', 'pipelines/demo/sensor-aggregates.ts', '--password', secret]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--password'/);
  });
});
