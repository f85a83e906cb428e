/** Checks a journal end to end: SQLite's own integrity, the seq run, the hash chain, and the intents. */
import type Database from 'better-sqlite3';
import { tapHash } from './canonical.ts';
import type { ChainAnchor } from './meta.ts';
import { rowToRecord, TAP_COLUMNS, type TapRow } from './rows.ts';
import type { VerifyReport } from './types.ts';

/** Reports every problem found, in words; never throws for what it finds. */
export function verifyJournal(db: Database.Database, anchor: ChainAnchor): VerifyReport {
  const problems: string[] = [];
  guard(problems, 'integrity_check could not run', () => integrity(db, problems));
  const records = guard(problems, 'the records could not all be read', () => chain(db, anchor, problems)) ?? 0;
  guard(problems, 'the debit intents could not be checked', () => intents(db, anchor, problems));
  return { ok: problems.length === 0, problems, records };
}

function integrity(db: Database.Database, problems: string[]): void {
  const lines = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  if (lines.length === 1 && lines[0] === 'ok') return;
  problems.push(...lines.map((l) => `integrity_check: ${l}`));
}

/** Walks the records in seq order from the anchor; returns how many it checked. */
function chain(db: Database.Database, anchor: ChainAnchor, problems: string[]): number {
  let expected = anchor.seq;
  let prevHash = anchor.prevHash;
  let prevName = anchor.seq === 1 ? 'the genesis hash' : `the chain anchor (the hash of record ${anchor.seq - 1})`;
  let count = 0;
  const rows = db.prepare<[], TapRow>(`SELECT ${TAP_COLUMNS.join(', ')} FROM taps ORDER BY seq`);
  for (const row of rows.iterate()) {
    count++;
    if (row.seq > expected) {
      const missing = row.seq - 1 === expected ? `record ${expected} is` : `records ${expected}..${row.seq - 1} are`;
      problems.push(`${missing} missing: the sequence jumps to ${row.seq}`);
    } else if (row.seq < expected) {
      problems.push(`record ${row.seq} comes before the chain start ${anchor.seq}`);
    }
    if (row.prev_hash !== prevHash) {
      problems.push(`record ${row.seq}: prev_hash does not match ${prevName}`);
    }
    try {
      const record = rowToRecord(row);
      if (tapHash(row.seq, row.prev_hash, record) !== row.hash) {
        problems.push(`record ${row.seq}: hash does not match its contents (the row was changed after it was written)`);
      }
    } catch (e) {
      problems.push(`record ${row.seq}: ${(e as Error).message}`);
    }
    // Continue from the stored hash, so that one altered row is reported once, not for every later row.
    prevHash = row.hash;
    prevName = `the hash of record ${row.seq}`;
    expected = row.seq + 1;
  }
  return count;
}

function intents(db: Database.Database, anchor: ChainAnchor, problems: string[]): void {
  const resolved = db.prepare<[number], { id: string; resolved_seq: number; tap_seq: number | null; tap_intent: string | null }>(`
    SELECT i.id, i.resolved_seq, t.seq AS tap_seq, t.intent_id AS tap_intent
    FROM intents i LEFT JOIN taps t ON t.seq = i.resolved_seq
    WHERE i.resolved_seq IS NOT NULL AND i.resolved_seq >= ?`);
  for (const r of resolved.iterate(anchor.seq)) {
    if (r.tap_seq === null) {
      problems.push(`debit intent ${r.id} is resolved by record ${r.resolved_seq}, which does not exist`);
    } else if (r.tap_intent !== r.id) {
      problems.push(`debit intent ${r.id} is resolved by record ${r.resolved_seq}, which names ${r.tap_intent === null ? 'no intent' : `intent ${r.tap_intent}`}`);
    }
  }

  const twice = db.prepare<[], { intent_id: string; seqs: string }>(`
    SELECT intent_id, group_concat(seq, ', ') AS seqs FROM taps
    WHERE intent_id IS NOT NULL GROUP BY intent_id HAVING count(*) > 1`);
  for (const r of twice.iterate()) {
    problems.push(`debit intent ${r.intent_id} is counted by more than one record (${r.seqs})`);
  }

  const orphans = db.prepare<[], { seq: number; intent_id: string; known: number }>(`
    SELECT t.seq, t.intent_id, i.id IS NOT NULL AS known
    FROM taps t LEFT JOIN intents i ON i.id = t.intent_id
    WHERE t.intent_id IS NOT NULL AND (i.id IS NULL OR i.resolved_seq IS NOT t.seq)`);
  for (const r of orphans.iterate()) {
    problems.push(`record ${r.seq} names debit intent ${r.intent_id}, ${r.known ? 'which is not resolved by this record' : 'which does not exist'}`);
  }
}

function guard<T>(problems: string[], what: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    problems.push(`${what}: ${(e as Error).message}`);
    return undefined;
  }
}
