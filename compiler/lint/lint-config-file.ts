/** The file `idemflow lint` reads per-code severities from when it exists; alone so `lint --help` can name it without loading zod. */
export const defaultLintConfigFile = 'idemflow.lint.json';
