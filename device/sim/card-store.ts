import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import { VirtualClassicCard } from '../mifare/virtual-classic-card.ts';

/**
 * A wallet of virtual cards, one JSON file per card named by UID. A card's file is replaced atomically
 * after every block write (temp file, fsync, rename, fsync of the directory), so a process killed at any
 * moment leaves each card exactly as its last confirmed write left it: what EEPROM does for a real card.
 */
export class CardStore {
  private readonly cards = new Map<string, { readonly card: VirtualClassicCard; readonly untrack: () => void }>();
  private readonly log: Logger;

  constructor(
    readonly dir: string,
    options: { readonly log?: Logger } = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.log = options.log ?? silentLogger;
  }

  /** UIDs of the cards in the wallet. */
  list(): string[] {
    return readdirSync(this.dir)
      .filter((f) => /^[0-9A-F]+\.json$/.test(f))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  }

  has(uid: string): boolean {
    return this.cards.has(uid.toUpperCase()) || this.list().includes(uid.toUpperCase());
  }

  /**
   * The card with this UID, saved after each of its writes from now on; undefined when the wallet has none.
   * Throws CardUnreadable naming the file when it is damaged.
   */
  load(uid: string): VirtualClassicCard | undefined {
    const key = uid.toUpperCase();
    const known = this.cards.get(key);
    if (known) return known.card;
    const path = this.pathOf(key);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ValidatorError(ErrorCode.CardUnreadable, `cannot read simulated card file ${path}: ${(e as Error).message}`, { cause: e });
    }
    let card: VirtualClassicCard;
    try {
      card = VirtualClassicCard.fromState(JSON.parse(text));
    } catch (e) {
      throw new ValidatorError(
        ErrorCode.CardUnreadable,
        `simulated card file ${path} is damaged (${(e as Error).message}); delete it to issue that card again`,
        { cause: e },
      );
    }
    if (card.uidHex !== key) {
      throw new ValidatorError(ErrorCode.CardUnreadable, `simulated card file ${path} holds card ${card.uidHex}; rename or delete it`);
    }
    return this.track(card);
  }

  /** Puts a new card into the wallet, saves it, and keeps saving it after each write. */
  add(card: VirtualClassicCard): VirtualClassicCard {
    if (this.has(card.uidHex)) throw new ValidatorError(ErrorCode.InvalidState, `the wallet already has card ${card.uidHex}`);
    this.save(card);
    return this.track(card);
  }

  /**
   * Puts a new card in place of the one with its UID (a simulated card reissued), saves it, and keeps
   * saving it after each write; the old one is no longer saved. `why` goes to the log.
   */
  replace(card: VirtualClassicCard, why: string): VirtualClassicCard {
    this.cards.get(card.uidHex)?.untrack();
    this.cards.delete(card.uidHex);
    this.save(card);
    this.log.warn('simulated card issued again: the stored one no longer reads', { card: card.uidHex, why });
    return this.track(card);
  }

  private track(card: VirtualClassicCard): VirtualClassicCard {
    const untrack = card.onWrite(() => this.save(card));
    this.cards.set(card.uidHex, { card, untrack });
    return card;
  }

  private save(card: VirtualClassicCard): void {
    const path = this.pathOf(card.uidHex);
    const temp = `${path}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(card.toState(), null, 1) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    // The rename is durable only once the directory entry is.
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  private pathOf(uid: string): string {
    return join(this.dir, `${uid}.json`);
  }
}
