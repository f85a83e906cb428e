/** Who the device is: its Ed25519 key (mode 0600), its enrollment with the backend, and the card keys (real readers). */
import { existsSync, statSync } from 'node:fs';
import { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { readPrivateKeyFile } from '../../../sync/contract/keys.ts';
import { describeError } from '../../domain/errors.ts';
import { deviceKeyFile } from '../start-sync.ts';
import { fail, pass, skip, type Check, type CheckResult } from './check.ts';

const ENROLL = 'validator enroll --backend URL --code CODE --device-id ID';

export const checkDeviceKey: Check = (ctx) => {
  const file = deviceKeyFile(ctx.config, ctx.paths);
  const name = 'device key';
  if (!existsSync(file)) {
    // A simulation that never enrolled has no key and needs none; anything enrolled, or real, does.
    if (ctx.mode === 'simulation' && ctx.enrollment === null) return [skip(name, `no device key at ${file}: this simulation is not enrolled`)];
    return [fail(name, `no device key at ${file}: the device cannot sign uploads or exports`, `${ENROLL} makes one (mode 0600) and enrolls it`)];
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return [fail(name, `${file} is mode 0${mode.toString(8)}: others can read the device's private key`, `chmod 600 ${file}; if it may have been copied, enroll a new key (${ENROLL})`)];
  }
  try {
    readPrivateKeyFile(file);
  } catch (e) {
    return [fail(name, `${file} is not a usable Ed25519 private key: ${describeError(e)}`, `move it aside and enroll again (${ENROLL})`)];
  }
  return [pass(name, `${file}: Ed25519, mode 0${mode.toString(8)}`)];
};

export const checkEnrollment: Check = (ctx) => {
  const name = 'enrollment';
  if (ctx.enrollmentProblem !== null) return [fail(name, ctx.enrollmentProblem, ENROLL)];
  const e = ctx.enrollment;
  if (e === null) {
    if (ctx.mode === 'simulation') return [skip(name, 'not enrolled: a simulation without a backend (npm start enrolls with its own)')];
    return [fail(name, 'not enrolled with a backend: taps stay in the journal', `${ENROLL}, then sudo systemctl restart validator`)];
  }
  if (e.deviceId !== ctx.config.device.id) {
    return [fail(name, `enrolled as ${e.deviceId}, but the config says device.id ${ctx.config.device.id}: the backend files this bus's taps under ${e.deviceId}`, 'set device.id to the enrolled id, or enroll again with the configured one')];
  }
  return [pass(name, `enrolled as ${e.deviceId} with ${e.backendUrl} at ${e.enrolledAt}`)];
};

export const checkCardKeys: Check = (ctx): CheckResult[] => {
  const name = 'card keys';
  if (ctx.mode === 'simulation') return [skip(name, 'simulation: the simulated cards use the state directory\'s development keys')];
  const file = ctx.config.keys.file;
  if (file === null) return [fail(name, 'keys.file is not set: real readers cannot read Qom Cards without the card keys', 'set keys.file in the config to the key file (JSON, mode 0600)')];
  try {
    FileKeyStore.load(file);
    return [pass(name, `${file}: loads, mode 0600`)];
  } catch (e) {
    return [fail(name, describeError(e), `fix ${file} as the message says (docs/card-layout.md has the format)`)];
  }
};
