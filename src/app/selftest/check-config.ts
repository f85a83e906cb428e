/** The config loads, and its device ids fit on a card (the daemon refuses to start otherwise). */
import { describeError } from '../../domain/errors.ts';
import { checkIdsFitTheCard } from '../check-ids-fit.ts';
import { fail, pass, type Check } from './check.ts';

export const checkConfig: Check = (ctx) => {
  const file = ctx.paths.configFile;
  const name = 'config';
  if (ctx.configProblem !== null) return [fail(name, ctx.configProblem, `correct ${file ?? 'the config file'}: every problem is listed, with what is allowed`)];
  try {
    checkIdsFitTheCard(ctx.config, file);
  } catch (e) {
    return [fail(name, describeError(e), `shorten the ids in ${file ?? 'the config file'}`)];
  }
  const c = ctx.config;
  const displays = c.readers.filter((r) => r.feedback !== null).length;
  const parts = [
    `${c.readers.length} reader${c.readers.length === 1 ? '' : 's'} (${c.readers.map((r) => r.id).join(', ')})`,
    `${displays} display${displays === 1 ? '' : 's'} on serial ports`,
    c.gps.port === null ? 'no GPS port' : `GPS on ${c.gps.port}`,
  ];
  return [pass(name, `${file ?? 'the built-in defaults (no config file)'}: device ${c.device.id}, ${parts.join(', ')}`)];
};
