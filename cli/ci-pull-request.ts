/**
 * Whether this process runs in a CI job for a pull (merge) request, read from
 * the variables each CI service sets. `check` loads pipeline modules, so it
 * runs their code; on a pull request that code may come from anyone, and the
 * job may hold secrets. `lint` reads the same code without running it.
 */
type Env = Readonly<Record<string, string | undefined>>;

interface PullRequestSignal {
  /** The CI service, as the note names it. */
  readonly ci: string;
  /** The variables this service is recognised by (also the ones tests clear). */
  readonly variables: readonly string[];
  /** The pull request's description (e.g. "GitHub Actions, pull_request event"), or undefined when not one. */
  readonly detect: (env: Env) => string | undefined;
}

const set = (value: string | undefined) => value !== undefined && value.trim() !== '';
/** Services that write "false" when the build is not for a pull request, and its number when it is. */
const numberOrFalse = (value: string | undefined) => set(value) && value!.trim().toLowerCase() !== 'false';

/** A service recognised by the first of its variables that holds a value `accept`s: "<what> <value>". */
function byVariables(
  ci: string,
  what: string,
  variables: readonly string[],
  accept: (value: string | undefined) => boolean = set,
): PullRequestSignal {
  return {
    ci,
    variables,
    detect: (env) => {
      const name = variables.find((v) => accept(env[v]));
      return name === undefined ? undefined : `${what} ${env[name]}`;
    },
  };
}

const githubEvents = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

export const pullRequestSignals: readonly PullRequestSignal[] = [
  {
    ci: 'GitHub Actions',
    variables: ['GITHUB_EVENT_NAME'],
    detect: (env) => (githubEvents.has(env.GITHUB_EVENT_NAME ?? '') ? `${env.GITHUB_EVENT_NAME} event` : undefined),
  },
  byVariables('GitLab CI', 'merge request', ['CI_MERGE_REQUEST_IID', 'CI_MERGE_REQUEST_ID']),
  byVariables('Buildkite', 'pull request', ['BUILDKITE_PULL_REQUEST'], numberOrFalse),
  byVariables('CircleCI', 'pull request', ['CIRCLE_PULL_REQUEST', 'CIRCLE_PR_NUMBER']),
  byVariables('Azure Pipelines', 'pull request', ['SYSTEM_PULLREQUEST_PULLREQUESTID']),
  {
    // CHANGE_ID alone is too common a name to trust: Jenkins also sets JENKINS_URL (or at least JENKINS_HOME).
    ci: 'Jenkins',
    variables: ['CHANGE_ID'],
    detect: (env) =>
      set(env.CHANGE_ID) && (set(env.JENKINS_URL) || set(env.JENKINS_HOME)) ? `change ${env.CHANGE_ID}` : undefined,
  },
  byVariables('Travis CI', 'pull request', ['TRAVIS_PULL_REQUEST'], numberOrFalse),
  byVariables('Bitbucket Pipelines', 'pull request', ['BITBUCKET_PR_ID']),
  byVariables('AppVeyor', 'pull request', ['APPVEYOR_PULL_REQUEST_NUMBER']),
];

/** "GitHub Actions, pull_request event" when this is a CI job for a pull request; undefined otherwise. */
export function pullRequestCi(env: Env = process.env): string | undefined {
  for (const signal of pullRequestSignals) {
    const what = signal.detect(env);
    if (what !== undefined) return `${signal.ci}, ${what}`;
  }
  return undefined;
}

/** The one line `check` prints on stderr (stdout stays the report) when it runs for a pull request. */
export function untrustedCodeNote(env: Env = process.env): string | undefined {
  const where = pullRequestCi(env);
  if (where === undefined) return undefined;
  return `idemflow: note: this looks like CI for a pull request (${where}); check runs the code of the pipeline files it loads, so for code you do not trust use \`idemflow lint\`, which reads it without running it (docs/lint-in-ci.md)`;
}
