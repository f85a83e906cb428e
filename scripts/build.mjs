#!/usr/bin/env node
// `npm run build`: the compiled validator for an install (systemd/install.sh, docs/systemd.md). Two bundles
// in dist/src/cli/, where bin/validator.js looks: main.js (every command) and import-worker.js (the deny
// list's import worker, which run-in-worker.ts finds beside the code that starts it).
//
// Bundled, not compiled file by file (tsc -p tsconfig.build.json, which still works): Node 20 spends most of
// a cold start resolving and loading modules, about 700 of them (rxjs alone is 223), and one file halves the
// time to READY (docs/performance.md, "Cold start"). Packages with native bindings stay in node_modules,
// found at run time as before: their loaders look for .node files relative to their own files.
//
//   node scripts/build.mjs [--outdir DIR]    DIR is the root of the build: default dist
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const at = process.argv.indexOf('--outdir');
const outRoot = at > 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(root, 'dist');

/** Native bindings (loaded from their package's own directory) and tsx (a checkout's, never the build's). */
const EXTERNAL = ['better-sqlite3', 'serialport', '@serialport/*', 'nfc-pcsc', '@pokusew/*', 'sd-notify', 'tsx'];

rmSync(outRoot, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/deny-list/import-worker.ts'],
  outdir: join(outRoot, 'src', 'cli'),
  entryNames: '[name]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as qomCreateRequire } from 'node:module'; const require = qomCreateRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`build: ${join(outRoot, 'src', 'cli')}/main.js and import-worker.js`);
