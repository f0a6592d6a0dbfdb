import { describe, expect, it } from 'vitest';
import { connectWithBackoff } from '../../connectors/connect-with-backoff.ts';

const options = (log: string[]) => ({
  what: 'source.x: cannot reach x:1',
  attempts: 4,
  firstWaitMs: 50,
  maxWaitMs: 50,
  hint: 'is it running?',
  log: (line: string) => log.push(line),
});

describe('connectWithBackoff', () => {
  it('retries a failure that may pass, then fails naming the target, the reason and the hint', async () => {
    const log: string[] = [];
    let tries = 0;
    const failing = async () => {
      tries++;
      throw new Error('ECONNREFUSED');
    };
    await expect(connectWithBackoff(failing, options(log))).rejects.toThrow(
      'source.x: cannot reach x:1 (ECONNREFUSED) after 4 attempts; is it running?',
    );
    expect(tries).toBe(4);
    expect(log).toHaveLength(3);
  });

  it('fails at the first try, with its own message, on a failure the caller calls permanent', async () => {
    const log: string[] = [];
    let tries = 0;
    const refused = new Error('self-signed certificate');
    const failing = async () => {
      tries++;
      throw refused;
    };
    const permanent = (error: unknown) => (error === refused ? 'cannot connect to x:1: TLS: untrusted' : undefined);
    const error = await connectWithBackoff(failing, { ...options(log), permanent }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('cannot connect to x:1: TLS: untrusted');
    expect(error.cause).toBe(refused);
    expect(tries).toBe(1);
    expect(log).toEqual([]);
  });
});
