import { firstValueFrom, filter, timeout } from 'rxjs';
import type { CardIssue } from '../../device/qom-card/qom-card-codec.ts';
import type { QomCardPresentation } from '../../device/qom-card/qom-card-presentation.ts';
import { ClassicClient } from '../../device/mifare/classic-client.ts';
import { VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import { PcscReaders, type PcscCardReader, type PcscReadersOptions } from '../../device/pcsc/pcsc-readers.ts';
import { VirtualCardTransport } from '../../device/sim/virtual-card-transport.ts';
import { VpcdCard, type InsertOptions, type VpcdCardOptions } from '../../device/sim/vpcd-card.ts';
import type { ReaderState } from '../../src/ports/card-reader.ts';
import { systemClock } from '../../src/domain/time.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { codec, issue } from '../device/helpers.ts';
import { requirePcscd, vpcdHost, vpcdReaderName } from '../support/pcscd.ts';

/**
 * Shared by the tests on the real PC/SC stack (nfc-pcsc → pcscd → vpcd → a VpcdCard). A suite declared
 * with `describeStack` runs only with pcscd and vpcd (skipped without, failed under CI=true) and holds
 * both vpcd readers and pcscd for itself while it runs.
 */
export const describeStack = await requirePcscd();

/**
 * The codec every real-stack test reads and writes cards with: the device tests' own, so that a layout
 * or key change is made in one place (test/device/helpers.ts), or here alone for these tests.
 */
export const stackCodec = codec;

/** vpcd's two readers, as a validator's config would name its doors. */
export const FRONT = { id: 'front', index: 0, pattern: new RegExp(vpcdReaderName(0)) } as const;
export const REAR = { id: 'rear', index: 1, pattern: new RegExp(vpcdReaderName(1)) } as const;

/** What a reader logged, one JSON object a line; PCSC_TEST_LOG=1 prints them too. */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  readonly log: Logger = createLogger(
    {
      level: 'debug',
      format: 'json',
      write: (line) => {
        if (process.env.PCSC_TEST_LOG) console.log(line);
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
    'pcsc',
  );

  /** Messages at `level` and above, oldest first. */
  messages(level: 'info' | 'warn' | 'error' = 'info'): string[] {
    const rank = { debug: 0, info: 1, warn: 2, error: 3 };
    return this.lines.filter((l) => rank[l.level as keyof typeof rank] >= rank[level]).map((l) => String(l.msg));
  }
}

/** PcscReaders over both vpcd readers, with short retries; close it in afterEach. */
export function openReaders(overrides: Partial<PcscReadersOptions> = {}, logs = new LogLines()): PcscReaders {
  let n = 0;
  return new PcscReaders({
    readers: [FRONT, REAR],
    codec: stackCodec,
    clock: systemClock,
    ids: { uuid: () => `p-${++n}` },
    exchangeTimeoutMs: 1_000,
    retryIntervalMs: 250,
    log: logs.log,
    ...overrides,
  });
}

/** A personalized card, out of any field, personalized in-process (personalization is not under test here). */
export async function issuedCard(uidHex: string, overrides: Partial<CardIssue> = {}): Promise<VirtualClassicCard> {
  const uid = Buffer.from(uidHex, 'hex');
  const card = VirtualClassicCard.blank(uid);
  card.enterField();
  await stackCodec.personalize(new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100 }), uid, issue(overrides));
  card.leave();
  return card;
}

/** Resolves with the reader's state once it is `kind`; rejects after `ms`. */
export function stateOf(reader: PcscCardReader, kind: ReaderState['kind'], ms = 5_000): Promise<ReaderState> {
  return firstValueFrom(reader.state$.pipe(filter((s) => s.kind === kind), timeout({ first: ms, with: () => { throw new Error(`reader ${reader.id} not ${kind} within ${ms} ms`); } })));
}

/** Resolves with the reader's next presentation; rejects after `ms`. */
export function nextPresentation(reader: PcscCardReader, ms = 5_000): Promise<QomCardPresentation> {
  return firstValueFrom(reader.presentations$.pipe(timeout({ first: ms, with: () => { throw new Error(`no card presented on reader ${reader.id} within ${ms} ms`); } })));
}

/**
 * Inserts the card into the vpcd reader the door uses and resolves with its presentation.
 * The card counts one exchange more than the presentation: the adapter's GET DATA for the UID.
 */
export async function tap(reader: PcscCardReader, card: VpcdCard, index: number, options: InsertOptions = {}): Promise<QomCardPresentation> {
  const presented = nextPresentation(reader);
  try {
    await card.insert(index, options);
  } catch (e) {
    presented.catch(() => undefined);
    throw e;
  }
  return presented;
}

/** A VpcdCard for a card (the same VirtualClassicCard across insertions), on the fast loopback address. */
export function vpcdCard(card: VirtualClassicCard, options: Omit<VpcdCardOptions, 'host'> = {}): VpcdCard {
  return new VpcdCard(card, { ...options, host: vpcdHost() });
}
