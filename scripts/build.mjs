// Builds the package: TypeScript sources to JavaScript plus declarations in
// dist/ (tsconfig.build.json), then the files the code reads beside itself
// that are not TypeScript. Plain JavaScript, so a fresh clone builds with no loader.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// A file deleted from the sources must not survive in the package.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

/** Files beside the code, copied to the same place under dist/. */
const assets = [
  ['connectors', (f) => f === 'ts-worker-entry.mjs'],
  ['scripts/servers', (f) => /\.(xml|properties)$/.test(f)],
  // The bind agent's source: compiled on the user's machine when a job server first starts.
  ['scripts/servers/bind-agent', (f) => f.endsWith('.java')],
];
for (const [folder, wanted] of assets) {
  mkdirSync(join(dist, folder), { recursive: true });
  for (const file of readdirSync(join(root, folder)).filter(wanted))
    copyFileSync(join(root, folder, file), join(dist, folder, file));
}
