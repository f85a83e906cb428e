#!/usr/bin/env node
// The `validator` executable. From a checkout it runs the TypeScript sources through tsx;
// an installed build (dist/, made by `npm run build`) runs compiled JavaScript.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/src/cli/main.js', import.meta.url);

let entry = compiled;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = source;
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
