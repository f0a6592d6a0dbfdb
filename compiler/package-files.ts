import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of idemflow's package.json. The code runs from its sources in a
 * clone and from `dist/` in an installed package, one folder deeper, so files
 * beside the code (committed measurements, the demo pipelines) are found from
 * the package root rather than by a relative path that holds in one layout only.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'idemflow')
      return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`idemflow: no package.json of idemflow above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();

/** A file shipped with idemflow, by its path from the package root. */
export function packageFile(...segments: string[]): string {
  return join(packageRoot, ...segments);
}

/** idemflow's own version, from its package.json. */
export const packageVersion = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string })
  .version;
