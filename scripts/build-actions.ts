/**
 * One build for the four JavaScript actions: each entry point bundled with esbuild into
 * actions/<name>/dist/index.mjs (Node 24, ESM). `--check` rebuilds into a temporary directory
 * and fails when the committed dist/ differs: CI catches a stale bundle.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const actions = ['validate', 'plan', 'apply', 'drift'];
const check = process.argv.includes('--check');
const outRoot = check ? mkdtempSync(path.join(tmpdir(), 'shipyard-actions-')) : path.join(root, 'actions');

for (const name of actions) {
  await build({
    entryPoints: [path.join(root, 'src/actions/entry', `${name}.ts`)],
    outfile: path.join(outRoot, name, 'dist/index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
    // pg's optional native binding is never used.
    external: ['pg-native'],
    // CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __shipyardRequire } from 'node:module'; const require = __shipyardRequire(import.meta.url);" },
  });
}

if (check) {
  const stale = actions.filter((name) => {
    const built = readFileSync(path.join(outRoot, name, 'dist/index.mjs'));
    try {
      return !built.equals(readFileSync(path.join(root, 'actions', name, 'dist/index.mjs')));
    } catch {
      return true;
    }
  });
  rmSync(outRoot, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`actions/${stale.join(', actions/')}: dist/ is stale; run \`scripts/dev build:actions\` and commit the result`);
    process.exit(1);
  }
  console.log('actions dist/ is up to date');
}
