#!/usr/bin/env node
// The native npm modules the validator loads, each with a line of code that fails unless its compiled
// binding loads; and, run as `node scripts/native-modules.mjs DIR`, a check that each loads in DIR's
// node_modules with the Node running it. systemd/install.sh runs that with /usr/bin/node (the Node the
// unit runs) in the staged install, before swapping it in. Node's built-ins only.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every native module the validator loads: scripts/setup.mjs rebuilds any of them whose binding does not
 * load, and systemd/install.sh checks them against the Node the unit runs. @serialport/bindings-cpp is the
 * GPS's and the feedback units'.
 */
export const NATIVE_MODULES = [
  // require() alone does not load the binding: better-sqlite3 loads it when the first Database opens.
  { name: 'better-sqlite3', probe: "new (require('better-sqlite3'))(':memory:').close()" },
  // nfc-pcsc's binding; require() loads it.
  { name: '@pokusew/pcsclite', probe: "require('@pokusew/pcsclite')" },
  // sd_notify through libsystemd; require() loads the binding.
  { name: 'sd-notify', probe: "require('sd-notify')" },
  // serialport's binding (a prebuilt N-API one, or built); require() loads it.
  { name: '@serialport/bindings-cpp', probe: "require('@serialport/bindings-cpp')" },
];

/** Why the probe fails in a fresh Node process (this one's executable) in `dir`, or undefined when it runs. */
export function loadError(probe, dir) {
  const child = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8' });
  if (child.error) return child.error.message;
  if (child.status === 0) return undefined;
  const lines = `${child.stderr}`.split('\n').filter((l) => /Error/.test(l));
  return lines[0]?.trim() ?? `exit ${child.status ?? child.signal}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/native-modules.mjs DIR (a directory with node_modules)');
    process.exit(2);
  }
  let failed = 0;
  for (const { name, probe } of NATIVE_MODULES) {
    const why = loadError(probe, dir);
    if (why === undefined) continue;
    console.error(`${name} does not load with Node ${process.version} (${process.execPath}): ${why}`);
    failed++;
  }
  process.exit(failed === 0 ? 0 : 1);
}
