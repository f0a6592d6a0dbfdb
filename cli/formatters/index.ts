import type { Formatter } from '../report.ts';
import { json } from './json.ts';
import type { CheckFormat } from './names.ts';
import { pretty } from './pretty.ts';

/** Output formats of `check`, by name. */
export const formatters: Readonly<Record<CheckFormat, Formatter>> = { pretty, json };
