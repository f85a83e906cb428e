import { Command, InvalidArgumentError, Option } from 'commander';
import { openDepot, type DepotOptions } from '../app/depot/open-depot.ts';
import type { DeskResult } from '../app/depot/card-desk.ts';
import { formatRecord } from './taps-command.ts';

interface CommonOptions {
  readonly reader: string;
  readonly keys?: string;
  readonly config?: string;
  readonly wait: number;
  readonly json?: boolean;
}

function rials(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('a whole number of rials is expected, digits only (no separators)');
  return n;
}

function positiveRials(value: string): number {
  const n = rials(value);
  if (n === 0) throw new InvalidArgumentError('must be more than 0 rials');
  return n;
}

function date(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('a date is expected as YYYY-MM-DD (Gregorian, in the network\'s time zone)');
  }
  return value;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError('seconds between 0 and 3600 are expected');
  return n;
}

function cardNumber(value: string): string {
  if (!/^\d{1,19}$/.test(value)) throw new InvalidArgumentError('the printed card number is 1 to 19 digits, without spaces');
  return value;
}

/** The options every card command shares. */
function withCommon(command: Command): Command {
  return command
    .requiredOption('--reader <pattern>', 'the PC/SC reader: a case-insensitive part of its name, or /regex/')
    .option('--keys <file>', 'the key file (default: keys.file from the config)')
    .option('--config <file>', 'config file (default: $VALIDATOR_CONFIG or /etc/validator/config.json)')
    .addOption(new Option('--wait <seconds>', 'how long to wait for a card').argParser(seconds).default(30))
    .option('--json', 'print the result as JSON');
}

/**
 * `validator card issue|read|topup|block`: depot work on one card at a reader. The writes are journaled in
 * the state directory like taps, so the validator daemon must not be running on the same one.
 */
export function registerCardCommands(program: Command): void {
  const card = program.command('card').description('depot work on a Qom Card: issue, read, top up, block');
  const depot = (options: CommonOptions): DepotOptions => ({
    ...program.opts<{ stateDir?: string }>(),
    readerPattern: options.reader,
    keysFile: options.keys,
    configFile: options.config,
    waitMs: options.wait * 1000,
  });

  withCommon(card.command('issue').description('personalize a blank card (transport keys) as a Qom Card'))
    .requiredOption('--number <digits>', 'the printed card number', cardNumber)
    .requiredOption('--category <id>', 'rider category: adult, student, senior, veteran')
    .requiredOption('--balance <rials>', 'opening balance in rials', rials)
    .requiredOption('--expires <date>', 'last valid day, YYYY-MM-DD', date)
    .option('--issued <date>', 'issue date, YYYY-MM-DD (default: today)', date)
    .action(async (options: CommonOptions & { number: string; category: string; balance: number; expires: string; issued?: string }) => {
      await withDepot(depot(options), async (desk) => {
        printResult(await desk.issue(options), options.json, 'issued');
      });
    });

  withCommon(card.command('read').description('print everything on the card, decoded, with its MAC status')).action(async (options: CommonOptions) => {
    await withDepot(depot(options), async (desk) => {
      const inspection = await desk.inspect();
      process.stdout.write(options.json ? `${JSON.stringify(inspection.json, null, 2)}\n` : `${inspection.lines.join('\n')}\n`);
    });
  });

  withCommon(card.command('topup').description('add value to the card; journaled like a tap'))
    .requiredOption('--amount <rials>', 'rials to add', positiveRials)
    .action(async (options: CommonOptions & { amount: number }) => {
      await withDepot(depot(options), async (desk) => {
        printResult(await desk.topUp(options.amount), options.json, 'topped up');
      });
    });

  withCommon(card.command('block').description('write "blocked" onto the card; its balance stays for a refund')).action(async (options: CommonOptions) => {
    await withDepot(depot(options), async (desk) => {
      printResult(await desk.block(), options.json, 'blocked');
    });
  });
}

async function withDepot(options: DepotOptions, work: (desk: Awaited<ReturnType<typeof openDepot>>['desk']) => Promise<void>): Promise<void> {
  const depot = await openDepot(options, (line) => process.stderr.write(`${line}\n`));
  try {
    await work(depot.desk);
  } finally {
    await depot.close();
  }
}

function printResult(result: DeskResult, json: boolean | undefined, done: string): void {
  const { card, record } = result;
  if (json) {
    process.stdout.write(`${JSON.stringify({ card, record })}\n`);
    return;
  }
  process.stdout.write(
    [
      `card ${card.number} ${done}: ${card.category}, ${card.status}, balance ${card.balance} rials, counter ${card.counter}, valid ${card.issued} to ${card.expires}`,
      `journal: ${formatRecord(record)}`,
    ].join('\n') + '\n',
  );
}
