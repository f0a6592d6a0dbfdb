/**
 * The output formats of `check` and `lint`, by name: what `--format` accepts
 * and `--help` lists. Apart from the formatters, so the help loads none of
 * them; the formatter tables are typed by these names, so the two cannot drift.
 */
export const checkFormats = ['pretty', 'json'] as const;
export type CheckFormat = (typeof checkFormats)[number];

export const lintFormats = ['pretty', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof lintFormats)[number];
