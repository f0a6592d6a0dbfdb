import type { Formatter } from '../report.ts';
import { json } from './json.ts';
import { pretty } from './pretty.ts';

/** Output formats of `check`, by name. */
export const formatters: Readonly<Record<string, Formatter>> = { pretty, json };
