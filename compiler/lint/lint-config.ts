import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Severity } from '../rule.ts';

/** `idemflow.lint.json`: per-code severities, e.g. `{ "rules": { "IDEM006": "off", "IDEM002": "error" } }`. */
export interface LintConfig {
  readonly rules: Readonly<Record<string, Severity | 'off'>>;
}

export { defaultLintConfigFile } from './lint-config-file.ts';

/** Reads and validates a config file; every problem names the file and the key. */
export function readLintConfig(path: string, knownCodes: readonly string[]): LintConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schema = z
    .object({
      rules: z.record(z.string(), z.enum(['off', 'note', 'warning', 'error'])).default({}),
    })
    .strict()
    .superRefine((config, ctx) => {
      for (const code of Object.keys(config.rules)) {
        if (!knownCodes.includes(code))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', code],
            message: `unknown code (known: ${knownCodes.join(', ')})`,
          });
      }
    });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}
