// Module hooks (they run on Node's loader thread): every resolved URL, appended
// to the file named by IDEMFLOW_RECORD_IMPORTS. Hooks registered later (tsx's)
// run first and hand on to these, so TypeScript modules are recorded too.
import { appendFileSync } from 'node:fs';

const file = process.env.IDEMFLOW_RECORD_IMPORTS;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (file) appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}
