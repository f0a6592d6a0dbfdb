import { github } from './github.ts';
import { json } from './json.ts';
import type { LintFormatter } from './lint-formatter.ts';
import type { LintFormat } from '../names.ts';
import { pretty } from './pretty.ts';
import { sarif } from './sarif.ts';

/** Output formats of `lint`, by name. */
export const lintFormatters: Readonly<Record<LintFormat, LintFormatter>> = { pretty, json, sarif, github };
