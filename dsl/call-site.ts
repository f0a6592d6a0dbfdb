import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../compiler/ir/index.ts';

const dslDir = dirname(fileURLToPath(import.meta.url));
const framePattern = /\(?((?:file:\/\/)?[^():\s]+):(\d+):(\d+)\)?$/;

/**
 * The user's file:line:column of the DSL call being made: the first stack
 * frame outside this folder. With tsx (the CLI's loader) source maps are on,
 * so these are positions in the user's TypeScript.
 */
export function captureCallSite(): SourceLocation | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const match = framePattern.exec(line.trim());
    if (!match) continue;
    const [, rawFile = '', lineNo = '0', column = '0'] = match;
    const file = rawFile.startsWith('file://') ? fileURLToPath(rawFile) : rawFile;
    if (file.startsWith(dslDir) || file.startsWith('node:') || file.includes('/node_modules/')) continue;
    return Object.freeze({ file, line: Number(lineNo), column: Number(column) });
  }
  return undefined;
}
