#!/usr/bin/env node
// Installs what `npm start`, `npm test` and `npm run bench` need (their pre-scripts run it), on a fresh
// Debian 12 machine from a fresh clone; safe to run again, and when nothing is to do it costs one dpkg-query
// and two file hashes. It runs before node_modules exists, so it uses Node's built-ins only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The native modules and their load probes: one list, shared with systemd/install.sh's check.
import { loadError, NATIVE_MODULES } from './native-modules.mjs';

/**
 * Debian packages the project needs. python3, make and g++ build better-sqlite3 and @pokusew/pcsclite
 * from source; libpcsclite-dev is what the latter links against. pcscd and vsmartcard-vpcd are the real
 * PC/SC stack the tests run the card reader through, with a virtual card in place of the chip. socat makes
 * the pseudo-terminals the GPS tests replay real receivers' recordings through, as a serial port, and the fake
 * NOTIFY_SOCKET the systemd tests read. libsystemd-dev is what sd-notify links against; systemd and udev
 * bring systemd-analyze and udevadm, which test the unit file and the udev rules (systemd/).
 */
const DEBIAN_PACKAGES = ['python3', 'make', 'g++', 'libpcsclite-dev', 'pcscd', 'vsmartcard-vpcd', 'socat', 'libsystemd-dev', 'systemd', 'udev'];

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const packageJsonPath = join(root, 'package.json');
const lockPath = join(root, 'package-lock.json');
const nodeModules = join(root, 'node_modules');
const stampPath = join(nodeModules, '.qom-setup-stamp');

ensureDebianPackages();
ensureNodeModules();

/** Installs the missing Debian packages when root; otherwise says the one command to run, and stops. */
function ensureDebianPackages() {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...DEBIAN_PACKAGES], { encoding: 'utf8' });
  if (query.error) {
    say(`no dpkg-query here, so not a Debian machine: make sure these are installed yourself: ${DEBIAN_PACKAGES.join(' ')}`);
    return;
  }
  // Packages dpkg has never heard of are absent from stdout (and complained about on stderr): missing too.
  const installed = new Set(
    query.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  const missing = DEBIAN_PACKAGES.filter((p) => !installed.has(p));
  if (missing.length === 0) return;

  const install = ['install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    fail(`missing Debian packages ${missing.join(' ')}; install them with: sudo apt-get ${install.join(' ')}`);
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env }, 'apt-get update failed (see above); check the network and /etc/apt/sources.list, then run again');
  run('apt-get', install, { env }, `apt-get install ${missing.join(' ')} failed (see above); fix that, then run again`);
}

/** Runs `npm ci` unless node_modules matches package-lock.json, then checks that the native modules load. */
function ensureNodeModules() {
  const wanted = stampOf();
  if (readOr(stampPath, '').trim() === wanted) return;

  if (installedTreeMatchesLock()) {
    // Installed by hand (`npm install x` updates the lockfile and the tree together): no need to do it again.
    say('node_modules already matches package-lock.json');
  } else if (existsSync(lockPath)) {
    say('node_modules is missing or out of date: running npm ci');
    run('npm', ['ci', '--no-audit', '--no-fund'], {}, 'npm ci failed (see above); if it says package.json and package-lock.json disagree, run `npm install` and commit package-lock.json');
  } else {
    say('no package-lock.json: running npm install (commit the package-lock.json it writes)');
    run('npm', ['install', '--no-audit', '--no-fund'], {}, 'npm install failed (see above)');
  }
  for (const native of NATIVE_MODULES) ensureLoads(native);
  writeFileSync(stampPath, `${wanted}\n`);
  say('node_modules is ready');
}

/** A native module whose binding does not load (built for another Node, a build that failed) is rebuilt once. */
function ensureLoads({ name, probe }) {
  const first = loadError(probe, root);
  if (first === undefined) return;
  say(`${name} does not load (${first}); rebuilding it once with npm rebuild ${name}`);
  run('npm', ['rebuild', name], {}, `npm rebuild ${name} failed (see above); it compiles with ${DEBIAN_PACKAGES.join(', ')} and Node's headers`);
  const second = loadError(probe, root);
  if (second !== undefined) {
    fail(`${name} still does not load after a rebuild (${second}); remove node_modules and run again, and check the build output`);
  }
  say(`${name} rebuilt and loads`);
}

/**
 * Whether node_modules holds exactly what package-lock.json asks for, read from the record npm keeps of the
 * installed tree (node_modules/.package-lock.json), and whether the lockfile still matches package.json.
 */
function installedTreeMatchesLock() {
  const lock = readJson(lockPath);
  const installed = readJson(join(nodeModules, '.package-lock.json'));
  const pkg = readJson(packageJsonPath);
  if (!lock?.packages || !installed?.packages || !pkg) return false;
  const rootEntry = lock.packages[''] ?? {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    if (!sameJson(rootEntry[field] ?? {}, pkg[field] ?? {})) return false;
  }
  const same = (a, b) => a.version === b.version && a.integrity === b.integrity && a.resolved === b.resolved;
  for (const [path, want] of Object.entries(lock.packages)) {
    if (path === '') continue;
    const have = installed.packages[path];
    // Optional packages for other platforms (esbuild's) are in the lockfile but rightly not installed.
    if (have === undefined ? !want.optional : !same(have, want)) return false;
  }
  return Object.keys(installed.packages).every((path) => path in lock.packages);
}

/** What node_modules was installed for: the manifests, and the Node ABI and platform native modules are built for. */
function stampOf() {
  const hash = createHash('sha256');
  for (const part of [
    readOr(packageJsonPath, ''),
    readOr(lockPath, ''),
    process.versions.modules,
    process.platform,
    process.arch,
    NATIVE_MODULES.map((m) => m.name).join(','),
  ]) {
    hash.update(part).update('\0');
  }
  return hash.digest('hex');
}

/** Runs a command with its output streaming to ours; stops with `help` when it fails. */
function run(command, args, options, help) {
  const child = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (child.error) fail(`cannot run ${command}: ${child.error.message}`);
  if (child.status !== 0) fail(`${command} ${args.join(' ')} exited with ${child.status ?? child.signal}: ${help}`);
}

function readOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function sameJson(a, b) {
  const sorted = (o) => JSON.stringify(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
  return sorted(a) === sorted(b);
}

function say(message) {
  console.log(`setup: ${message}`);
}

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}
