/** The intents table: debits journaled before the card is written. Callers provide the transaction. */
import type Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { checkTapFields } from './check-tap-fields.ts';
import type { DebitIntent } from './types.ts';

interface IntentRow {
  id: string;
  created_at: number;
  card_uid: string;
  counter_before: number;
  counter_after: number;
  tap: string;
  resolved_seq: number | null;
  resolved_at: number | null;
}

export interface IntentState {
  readonly cardUid: string;
  readonly resolvedSeq: number | null;
}

const COLUMNS = 'id, created_at, card_uid, counter_before, counter_after, tap, resolved_seq, resolved_at';

export class IntentStore {
  private readonly insertStmt: Database.Statement<[IntentRow]>;
  private readonly stateStmt: Database.Statement<[string], IntentState>;
  private readonly openIdForStmt: Database.Statement<[string], { id: string }>;
  private readonly openStmt: Database.Statement<[], IntentRow>;
  private readonly openForStmt: Database.Statement<[string], IntentRow>;
  private readonly resolveStmt: Database.Statement<[number, number, string]>;
  private readonly openCountStmt: Database.Statement<[], { n: number }>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(`INSERT INTO intents (${COLUMNS}) VALUES (@id, @created_at, @card_uid, @counter_before, @counter_after, @tap, @resolved_seq, @resolved_at)`);
    this.stateStmt = db.prepare('SELECT card_uid AS cardUid, resolved_seq AS resolvedSeq FROM intents WHERE id = ?');
    this.openIdForStmt = db.prepare('SELECT id FROM intents WHERE card_uid = ? AND resolved_seq IS NULL');
    this.openStmt = db.prepare(`SELECT ${COLUMNS} FROM intents WHERE resolved_seq IS NULL ORDER BY created_at, id`);
    this.openForStmt = db.prepare(`SELECT ${COLUMNS} FROM intents WHERE card_uid = ? AND resolved_seq IS NULL`);
    this.resolveStmt = db.prepare('UPDATE intents SET resolved_seq = ?, resolved_at = ? WHERE id = ? AND resolved_seq IS NULL');
    this.openCountStmt = db.prepare('SELECT count(*) AS n FROM intents WHERE resolved_seq IS NULL');
  }

  insert(intent: DebitIntent): void {
    this.insertStmt.run({
      id: intent.id,
      created_at: intent.createdAt,
      card_uid: intent.cardUid,
      counter_before: intent.counterBefore,
      counter_after: intent.counterAfter,
      tap: JSON.stringify(intent.tap),
      resolved_seq: null,
      resolved_at: null,
    });
  }

  /** Card and resolution of an intent, without decoding its tap: what the write path needs. */
  state(id: string): IntentState | undefined {
    return this.stateStmt.get(id);
  }

  /** The id of the card's open intent, without decoding its tap. */
  openIdFor(cardUid: string): string | undefined {
    return this.openIdForStmt.get(cardUid)?.id;
  }

  open(): DebitIntent[] {
    return this.openStmt.all().map(rowToIntent);
  }

  openFor(cardUid: string): DebitIntent | undefined {
    const row = this.openForStmt.get(cardUid);
    return row === undefined ? undefined : rowToIntent(row);
  }

  openCount(): number {
    return this.openCountStmt.get()?.n ?? 0;
  }

  /** Marks an open intent resolved by a record; false when it was not open. */
  resolve(id: string, seq: number, at: number): boolean {
    return this.resolveStmt.run(seq, at, id).changes === 1;
  }
}

function rowToIntent(row: IntentRow): DebitIntent {
  let tap: unknown;
  try {
    tap = JSON.parse(row.tap);
  } catch (e) {
    throw new ValidatorError(ErrorCode.JournalCorrupt, `debit intent ${row.id} holds a tap that is not JSON`, { cause: e });
  }
  try {
    return {
      id: row.id,
      createdAt: row.created_at,
      cardUid: row.card_uid,
      counterBefore: row.counter_before,
      counterAfter: row.counter_after,
      tap: checkTapFields(tap, `the tap of debit intent ${row.id}`),
    };
  } catch (e) {
    throw new ValidatorError(ErrorCode.JournalCorrupt, `debit intent ${row.id} is damaged: ${(e as Error).message}`, { cause: e });
  }
}
