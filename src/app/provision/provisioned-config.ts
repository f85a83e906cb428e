/** What `validator provision`'s flags change in the config document; the rest of the file stays as it was. */
import type { Config } from '../../config/schema.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';
import { withSetting, type ConfigDocument } from './config-document.ts';
import type { ProvisionInput } from './provision-input.ts';

/** Door ids by position when the config names none: the first door, then the second. */
const DOOR_IDS = ['front', 'rear'];

/** The document with the device id, the backend and every flag given set. */
export function withProvisioning(document: ConfigDocument, input: ProvisionInput): ConfigDocument {
  let next = withSetting(document, 'device', 'id', input.deviceId);
  if (input.vehicle !== null) next = withSetting(next, 'device', 'vehicle', input.vehicle);
  if (input.route !== null) next = withSetting(next, 'device', 'route', input.route);
  next = withSetting(next, 'sync', 'backendUrl', input.backendUrl);
  if (input.gps !== null) next = withSetting(next, 'gps', 'port', input.gps);
  if (input.readers.length > 0 || input.displays.length > 0) next = { ...next, readers: doors(document, input) };
  return next;
}

/**
 * The readers: one door per --reader when any is given (else the doors the file has), each keeping the id and
 * display it had at that position; the nth --display goes to the nth door.
 */
function doors(document: ConfigDocument, input: ProvisionInput): Record<string, unknown>[] {
  const had = Array.isArray(document['readers']) ? (document['readers'] as unknown[]).map((r) => (typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {})) : [];
  const patterns = input.readers.length > 0 ? input.readers : had.map((r) => r['name']);
  if (patterns.length === 0) {
    throw new ValidatorError(ErrorCode.BadRequest, 'nothing was changed: --display needs doors; give one --reader PATTERN per door, in the same order as the displays');
  }
  if (input.displays.length > patterns.length) {
    throw new ValidatorError(ErrorCode.BadRequest, `nothing was changed: ${input.displays.length} --display for the ${patterns.length} door(s) of the config; give one --reader PATTERN per door`);
  }
  return patterns.map((name, i) => {
    const old = had[i] ?? {};
    const door: Record<string, unknown> = { ...old, id: old['id'] ?? DOOR_IDS[i] ?? `door-${i + 1}` };
    if (name !== undefined) door['name'] = name;
    const port = input.displays[i];
    if (port !== undefined) {
      const feedback = typeof old['feedback'] === 'object' && old['feedback'] !== null ? (old['feedback'] as Record<string, unknown>) : {};
      door['feedback'] = { ...feedback, port };
    }
    return door;
  });
}

/** "device.vehicle: BUS-0001 → BUS-117", one per setting whose value differs (before null: every setting written). */
export function configChanges(before: Config | null, after: Config, written: ConfigDocument): string[] {
  const old = before === null ? new Map<string, string>() : flatten(before);
  const now = flatten(after);
  const keys = before === null ? [...flatten(written).keys()] : [...now.keys()].filter((k) => old.get(k) !== now.get(k));
  return keys.map((k) => (before === null ? `${k}: ${now.get(k) ?? '?'}` : `${k}: ${old.get(k) ?? '-'} → ${now.get(k) ?? '-'}`));
}

/** Dotted keys of the sections; arrays (the readers) stay one value. */
function flatten(config: Config | ConfigDocument): Map<string, string> {
  const out = new Map<string, string>();
  for (const [section, value] of Object.entries(config)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) out.set(`${section}.${key}`, shown(v));
    } else out.set(section, shown(value));
  }
  return out;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((r) => (typeof r === 'object' && r !== null ? doorText(r as Record<string, unknown>) : JSON.stringify(r))).join(', ');
  return JSON.stringify(value);
}

/** A door as a technician reads it: front "ACR1252" (display /dev/ttyUSB0). */
function doorText(door: Record<string, unknown>): string {
  const feedback = door['feedback'] as { port?: unknown } | null | undefined;
  const display = feedback && typeof feedback.port === 'string' ? ` (display ${feedback.port})` : '';
  return `${String(door['id'])} ${JSON.stringify(door['name'])}${display}`;
}
