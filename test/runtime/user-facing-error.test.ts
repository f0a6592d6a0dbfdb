/**
 * One base class for the errors the user can act on: the CLI prints their message without a stack
 * (cli/main.ts asks `isUserFacing`). Each kind of such error is one, from any layer; a bug is not.
 */
import { describe, expect, it } from 'vitest';
import { BuildError } from '../../dsl/build-error.ts';
import { LoadError, UsageError } from '../../cli/usage-error.ts';
import { RunnerError } from '../../runtime/runner-error.ts';
import { RepairRefused } from '../../runners/local/repair-job.ts';
import { StoreError } from '../../connectors/embedded/table-log.ts';
import { FolderHeldError } from '../../connectors/exclusive-folder.ts';
import { isUserFacing, UserFacingError } from '../../runtime/user-facing-error.ts';

describe('UserFacingError', () => {
  it('every error the user can act on derives from it, whichever layer throws it', () => {
    const errors = [
      new BuildError('.window()', 'size must be positive'),
      new UsageError('--seed must be a whole number'),
      new LoadError('p.ts', 'exports no pipeline'),
      new RunnerError('the Kafka broker at 127.0.0.1:1 did not answer'),
      new RepairRefused('the pipeline has no system of record', ['IDEM001']),
      new StoreError('store.log: not a table log'),
      new FolderHeldError('held by pid 1'),
    ];
    for (const error of errors) {
      expect(error, error.name).toBeInstanceOf(UserFacingError);
      expect(isUserFacing(error), error.name).toBe(true);
    }
    expect(errors.map((e) => e.name)).toEqual([
      'BuildError',
      'UsageError',
      'UsageError',
      'RunnerError',
      'RunnerError',
      'StoreError',
      'FolderHeldError',
    ]);
  });

  it('bugs and look-alikes are not: a TypeError, an Error named like one, a flag without the brand', () => {
    const namedLikeOne = Object.assign(new Error('x'), { name: 'BuildError', userFacing: true });
    for (const value of [new TypeError('x is undefined'), namedLikeOne, null, undefined, 'BuildError', {}])
      expect(isUserFacing(value)).toBe(false);
  });

  it("an error from another copy of idemflow's classes is recognised by the registered symbol", () => {
    const foreign = new Error('from a CommonJS copy');
    Object.defineProperty(foreign, Symbol.for('idemflow.user-facing-error'), { value: true });
    expect(isUserFacing(foreign)).toBe(true);
    expect(foreign).not.toBeInstanceOf(UserFacingError);
  });
});
