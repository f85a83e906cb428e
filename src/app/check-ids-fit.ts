import { tripTextProblem } from '../../device/qom-card/trip-text.ts';
import type { Config } from '../config/schema.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';

/** Every debit writes the route, stop, vehicle and device onto the card: ids that do not fit are refused at start. */
export function checkIdsFitTheCard(config: Config, configFile: string | null): void {
  const { device } = config;
  const problem = tripTextProblem({ route: device.route ?? '', stop: device.stop, vehicle: device.vehicle, device: device.id });
  if (problem) {
    throw new ValidatorError(
      ErrorCode.ConfigInvalid,
      `${configFile ?? 'the configuration'}: the device's ids do not fit in the card's last-trip record: ${problem}. Shorten device.id, device.vehicle, device.route or device.stop`,
    );
  }
}
