import { describe, expect, it } from 'vitest';
import { pullRequestCi, untrustedCodeNote } from '../../cli/ci-pull-request.ts';
import { runCli } from '../helpers/run-cli.ts';

describe('CI on a pull request, recognised from its variables', () => {
  it.each([
    ['GitHub Actions, pull_request event', { GITHUB_EVENT_NAME: 'pull_request', GITHUB_ACTIONS: 'true' }],
    ['GitHub Actions, pull_request_target event', { GITHUB_EVENT_NAME: 'pull_request_target' }],
    ['GitLab CI, merge request 17', { CI_MERGE_REQUEST_ID: '90211', CI_MERGE_REQUEST_IID: '17' }],
    ['GitLab CI, merge request 90211', { CI_MERGE_REQUEST_ID: '90211' }],
    ['Buildkite, pull request 42', { BUILDKITE_PULL_REQUEST: '42' }],
    ['CircleCI, pull request https://github.com/o/r/pull/5', { CIRCLE_PULL_REQUEST: 'https://github.com/o/r/pull/5' }],
    ['CircleCI, pull request 5', { CIRCLE_PR_NUMBER: '5' }],
    ['Azure Pipelines, pull request 311', { SYSTEM_PULLREQUEST_PULLREQUESTID: '311' }],
    ['Jenkins, change 8', { CHANGE_ID: '8', JENKINS_URL: 'https://ci.example/' }],
    ['Travis CI, pull request 12', { TRAVIS_PULL_REQUEST: '12' }],
    ['Bitbucket Pipelines, pull request 3', { BITBUCKET_PR_ID: '3' }],
    ['AppVeyor, pull request 9', { APPVEYOR_PULL_REQUEST_NUMBER: '9' }],
  ])('%s', (expected, env) => {
    expect(pullRequestCi(env)).toBe(expected);
    expect(untrustedCodeNote(env)).toContain(`(${expected})`);
  });

  // Look-alikes: CI builds that are not for a pull request, and variables that only share a name.
  it.each([
    ['a GitHub push', { GITHUB_EVENT_NAME: 'push', GITHUB_ACTIONS: 'true' }],
    ['a GitHub schedule', { GITHUB_EVENT_NAME: 'schedule' }],
    ['a Buildkite branch build', { BUILDKITE_PULL_REQUEST: 'false', BUILDKITE: 'true' }],
    ['a Travis branch build', { TRAVIS_PULL_REQUEST: 'false' }],
    ['empty values', { CI_MERGE_REQUEST_ID: '', CIRCLE_PULL_REQUEST: ' ', SYSTEM_PULLREQUEST_PULLREQUESTID: '' }],
    ['CHANGE_ID outside Jenkins', { CHANGE_ID: '8' }],
    ['a Jenkins branch build', { JENKINS_URL: 'https://ci.example/', BRANCH_NAME: 'main' }],
    ['a plain CI flag', { CI: 'true' }],
    ['nothing', {}],
  ])('not %s', (_, env) => {
    expect(pullRequestCi(env)).toBeUndefined();
    expect(untrustedCodeNote(env)).toBeUndefined();
  });
});

// Each case starts the CLI (lint loads a TypeScript project): seconds on a quiet machine, most of a minute at load 25.
describe('idemflow check on a pull request', { timeout: 180_000 }, () => {
  const notes = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('idemflow: note: '));

  it('prints one note on stderr, before any pipeline code runs, and leaves --format json whole on stdout', () => {
    const r = runCli(['check', 'test/fixtures/announces-itself.ts', '--format', 'json'], {
      env: { GITHUB_EVENT_NAME: 'pull_request_target' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pipelines: [{ name: 'counts' }] });
    expect(notes(r.stderr)).toEqual([
      'idemflow: note: this looks like CI for a pull request (GitHub Actions, pull_request_target event); check runs the code of the pipeline files it loads, so for code you do not trust use `idemflow lint`, which reads it without running it (docs/lint-in-ci.md)',
    ]);
    const lines = r.stderr.split('\n');
    expect(lines.indexOf('this pipeline module ran')).toBeGreaterThan(lines.indexOf(notes(r.stderr)[0]!));
  });

  it('says nothing on a branch build, and lint never notes it (it runs no code)', () => {
    const branch = runCli(['check', 'test/fixtures/announces-itself.ts', '--format', 'json'], {
      env: { GITHUB_EVENT_NAME: 'push', BUILDKITE_PULL_REQUEST: 'false' },
    });
    expect(branch.status, branch.stderr).toBe(0);
    expect(branch.stderr).toBe('this pipeline module ran\n');
    const lint = runCli(['lint', 'test/fixtures/announces-itself.ts', '--format', 'json'], {
      env: { CI_MERGE_REQUEST_IID: '17' },
    });
    expect(lint.stderr).not.toContain('note');
    expect(lint.stderr).not.toContain('this pipeline module ran');
    expect(JSON.parse(lint.stdout)).toMatchObject({ summary: expect.any(Object) });
  });
});
