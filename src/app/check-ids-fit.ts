import { tripTextProblem } from '../../device/qom-card/trip-text.ts';
import type { Config } from '../config/schema.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';

/** The ids a debit writes onto the card. */
export type DeviceIds = Pick<Config['device'], 'id' | 'vehicle' | 'route' | 'stop'>;

/** Why `device`'s ids do not fit in the card's last-trip record; null when they fit. */
export function deviceIdsProblem(device: DeviceIds): string | null {
  return tripTextProblem({ route: device.route ?? '', stop: device.stop, vehicle: device.vehicle, device: device.id });
}

/** Every debit writes the route, stop, vehicle and device onto the card: ids that do not fit are refused at start. */
export function checkIdsFitTheCard(config: Config, configFile: string | null): void {
  const problem = deviceIdsProblem(config.device);
  if (problem) {
    throw new ValidatorError(
      ErrorCode.ConfigInvalid,
      `${configFile ?? 'the configuration'}: the device's ids do not fit in the card's last-trip record: ${problem}. Shorten device.id, device.vehicle, device.route or device.stop`,
    );
  }
}
