/**
 * `validator provision`: a validator made ready at the depot in one command. Everything is checked first;
 * the new device key stays in memory until the backend has said 201 to its enrollment; only then are the key,
 * the enrollment record and the config put in place, each written durably (src/fs/durable-file.ts). A refusal
 * or no answer changes nothing on disk. The first deny list and fare bundle are then fetched with the new
 * identity; when that fails the enrollment stays (its code is spent) and the daemon fetches them at its first
 * sync. Run again with the same device id and backend, it keeps the key and enrollment (no code needed).
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseConfig } from '../../config/load-config.ts';
import type { Config } from '../../config/schema.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../../domain/errors.ts';
import { readEnrollment, requestEnrollment, writeEnrollment, type Enrollment } from '../../../sync/client/enrollment.ts';
import { checkBackendUrl } from '../../../sync/client/transport.ts';
import { newKeyPair, readPrivateKeyFile, writePrivateKeyFile, type KeyPair } from '../../../sync/contract/keys.ts';
import { checkIdsFitTheCard } from '../check-ids-fit.ts';
import { daemonRunning } from '../daemon-running.ts';
import { resolvePaths } from '../paths.ts';
import { deviceKeyFile, enrollmentFile } from '../start-sync.ts';
import { configText, readConfigDocument, withBackendSettings, type ConfigDocument } from './config-document.ts';
import { fetchLists, type FetchedLists, type FetchListsOptions } from './fetch-lists.ts';
import { chownTree, CONFIG_DIR_MODE, CONFIG_MODE, makeDirectory, replaceFile, report, STATE_DIR_MODE, stateDirectory, type FileReport } from './provision-files.ts';
import type { ProvisionInput } from './provision-input.ts';
import { provisionNotes } from './provision-notes.ts';
import { configChanges, withProvisioning } from './provisioned-config.ts';
import type { Ownership } from './service-account.ts';

export interface ProvisionOptions {
  readonly input: ProvisionInput;
  readonly stateDir: string;
  readonly configFile: string;
  /** Who gets the files (root provisioning for the service's user); null: left as created. */
  readonly ownership: Ownership | null;
  readonly onDownload: FetchListsOptions['onDownload'];
}

export interface ProvisionReport {
  readonly deviceId: string;
  readonly backendUrl: string;
  /** new: first enrollment; anew: --force replaced one; kept: the enrollment on the device serves. */
  readonly enrollment: 'new' | 'anew' | 'kept';
  readonly enrolledAt: string;
  /** --code was given but not needed (already enrolled with this id and backend): it stays unspent. */
  readonly codeUnused: boolean;
  readonly files: readonly FileReport[];
  readonly configChanges: readonly string[];
  readonly backendSettings: { readonly taken: readonly string[]; readonly ignored: readonly string[] };
  readonly lists: FetchedLists;
  /** What a technician should still see to: defaults in force, ports not plugged in, keys not installed. */
  readonly notes: readonly string[];
}

/** Provisions; throws ValidatorError with nothing on disk changed, or returns what it did. */
export async function provision(options: ProvisionOptions): Promise<ProvisionReport> {
  const { input, ownership } = options;
  const paths = resolvePaths({ stateDir: options.stateDir, config: options.configFile });
  if (await daemonRunning(paths.controlSocket)) {
    throw new ValidatorError(
      ErrorCode.InvalidState,
      `nothing was changed: a validator is running on ${paths.stateDir}, and it holds the device key, the lists and the config it started with. ` +
        'Stop it first (systemctl stop validator), provision, then start it',
    );
  }
  const existing = readConfigDocument(options.configFile);
  const before = existing === null ? null : parseConfig(existing.document, options.configFile);
  const planned = withProvisioning(existing?.document ?? {}, input);
  const plannedConfig = checked(planned, options.configFile);
  const keyFile = deviceKeyFile(plannedConfig, paths);
  const enrollmentPath = enrollmentFile(paths);

  const held = input.force ? null : enrollmentOnDevice(keyFile, enrollmentPath, input);
  let identity: { enrollment: Enrollment; key: KeyPair };
  if (held !== null) {
    identity = held;
  } else {
    if (input.code === null) {
      throw new ValidatorError(
        ErrorCode.BadRequest,
        `nothing was changed: ${input.force ? '--force enrolls anew' : 'this validator is not enrolled yet, and enrolling'} takes a one-time --code from the backend (the reference receiver: validator backend --data DIR code)`,
      );
    }
    const key = newKeyPair();
    try {
      identity = { enrollment: await requestEnrollment({ backendUrl: input.backendUrl, code: input.code, deviceId: input.deviceId, key, timeout: { ms: input.timeoutMs, setting: '--timeout' } }), key };
    } catch (e) {
      if (!isValidatorError(e)) throw e;
      throw new ValidatorError(e.code, `nothing was changed: ${e.message}`, { cause: e });
    }
  }

  // The backend said yes (or had already): from here on, files change.
  const settings = withBackendSettings(planned, identity.enrollment.config);
  const config = parseConfig(settings.document, options.configFile);
  const files: FileReport[] = [];
  const enrolledBefore = existsSync(enrollmentPath);
  const state = ownership?.state ?? null;
  if (held === null) {
    await written('the device key', 'the code is spent: fix it, then run again with --force and a new --code', async () => {
      stateDirectory(paths.stateDir, state);
      makeDirectory(dirname(keyFile), STATE_DIR_MODE, state);
      const keyBefore = existsSync(keyFile);
      writePrivateKeyFile(keyFile, identity.key.privateKey, state);
      files.push(report('device key', keyFile, keyBefore ? 'replaced' : 'new', ownership));
      await writeEnrollment(enrollmentPath, identity.enrollment, state);
      files.push(report('enrollment', enrollmentPath, enrolledBefore ? 'replaced' : 'new', ownership));
    });
  } else {
    stateDirectory(paths.stateDir, state);
    files.push(report('device key', keyFile, 'kept', ownership), report('enrollment', enrollmentPath, 'kept', ownership));
  }
  await written('the config', 'the enrollment is kept: fix it, then run validator provision again (no new code needed)', async () => {
    makeDirectory(dirname(options.configFile), CONFIG_DIR_MODE, ownership?.config ?? null);
    files.push(await replaceFile('config', options.configFile, configText(settings.document), CONFIG_MODE, ownership?.config ?? null, ownership, existing?.text));
  });

  const lists = await fetchListsReported({ config, paths, enrollment: identity.enrollment, key: identity.key, onDownload: options.onDownload });
  if (ownership) chownTree(paths.stateDir, ownership.state);
  return {
    deviceId: identity.enrollment.deviceId,
    backendUrl: input.backendUrl,
    enrollment: held !== null ? 'kept' : enrolledBefore ? 'anew' : 'new',
    enrolledAt: identity.enrollment.enrolledAt,
    codeUnused: held !== null && input.code !== null,
    files,
    configChanges: configChanges(before, config, settings.document),
    backendSettings: { taken: settings.taken, ignored: settings.ignored },
    lists,
    notes: provisionNotes(config, settings.document, paths, input, identity.enrollment, lists),
  };
}

/** The config the daemon would start with must start: the schema, and ids that fit on a card. */
function checked(document: ConfigDocument, configFile: string): Config {
  try {
    const config = parseConfig(document, configFile);
    checkIdsFitTheCard(config, configFile);
    return config;
  } catch (e) {
    throw new ValidatorError(ErrorCode.ConfigInvalid, `nothing was changed: the config would not start the validator: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The key and enrollment already on the device when they serve this device id and backend; null when the
 * device is not enrolled. Enrolled otherwise: refused, since going on would replace its identity.
 */
function enrollmentOnDevice(keyFile: string, enrollmentPath: string, input: ProvisionInput): { enrollment: Enrollment; key: KeyPair } | null {
  let enrollment: Enrollment | null;
  try {
    enrollment = readEnrollment(enrollmentPath);
  } catch (e) {
    throw new ValidatorError(ErrorCode.InvalidState, `nothing was changed: ${(e as Error).message}; or enroll anew with validator provision --force --code NEW`, { cause: e });
  }
  // An enrollment without its key (or a key never enrolled) cannot sign anything the backend would take.
  if (enrollment === null || !existsSync(keyFile)) return null;
  if (enrollment.deviceId !== input.deviceId || origin(enrollment.backendUrl) !== input.backendUrl) {
    throw new ValidatorError(
      ErrorCode.InvalidState,
      `nothing was changed: this validator is enrolled as ${enrollment.deviceId} with ${enrollment.backendUrl} (${enrollmentPath}). ` +
        `To make it ${input.deviceId} with ${input.backendUrl}, run again with --force and a new --code: that replaces its device key, and the old enrollment stops working`,
    );
  }
  let key: KeyPair;
  try {
    key = readPrivateKeyFile(keyFile);
  } catch (e) {
    throw new ValidatorError(ErrorCode.InvalidState, `nothing was changed: the device key ${keyFile} cannot be used: ${(e as Error).message}`, { cause: e });
  }
  return { enrollment, key };
}

function origin(url: string): string | null {
  try {
    return checkBackendUrl(url);
  } catch {
    return null;
  }
}

/** A write after the backend said yes: a failure says what was done and how to finish. */
async function written(what: string, then: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    const why = isValidatorError(e) ? e.message : e instanceof Error ? e.message : String(e);
    throw new ValidatorError(ErrorCode.InvalidState, `the backend enrolled this device, but ${what} could not be written (${why}); ${then}`, { cause: e });
  }
}

/** The fetch never undoes provisioning: whatever goes wrong is said, and the daemon fetches at its first sync. */
async function fetchListsReported(options: FetchListsOptions): Promise<FetchedLists> {
  try {
    return await fetchLists(options);
  } catch (e) {
    const problem = e instanceof Error ? e.message : String(e);
    const failed = { version: 'unknown', none: true, changed: false, problem };
    return { denyList: failed, fares: failed };
  }
}
