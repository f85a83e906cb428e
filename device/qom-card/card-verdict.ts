import type { CardData } from '../../src/domain/card.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { decodeInfo, layoutProblem } from './info-block.ts';
import { LAYOUT_VERSION, type SlotId } from './layout.ts';
import { headCounter, type SlotReading } from './purse-slot.ts';

/** What a validator makes of a card's blocks: its data and current slot, or the rejection and why. */
export type CardVerdict =
  | {
      readonly ok: true;
      readonly data: CardData;
      /** The newest valid slot; a purse write goes to the other one. */
      readonly current: SlotId;
      /** Slots tried before the current one, and why they were passed over (a torn head write). */
      readonly skipped: readonly string[];
    }
  | { readonly ok: false; readonly code: ErrorCode.CardInvalid | ErrorCode.CardUnreadable; readonly message: string };

/**
 * The one place that decides what a card's bytes mean, for a tap (`readCard`, which reads bodies only as
 * `readSlot` asks for them) and for the depot (`inspect`, which has read them all):
 *
 * 1. The info block must be of layout v1.
 * 2. The slot whose head claims the higher counter is tried first (A on a tie). If its MAC holds, it is
 *    current. If the MAC holds but the content breaks the layout's rules, the card is unreadable: that is
 *    the newest state this system wrote, and reading past it would roll the purse back.
 * 3. If its MAC fails while it claims exactly the counter after the other slot's, it is what a complete
 *    purse write would look like, altered: the card is invalid. A purse write puts the head last, so a
 *    write cut short leaves the old head (a lower counter) and is never tried first.
 * 4. Otherwise (a head torn into garbage, a slot never written), the other slot is tried the same way.
 * 5. No valid slot: invalid when some slot failed its MAC, unreadable when none holds a purse at all.
 */
export async function judgeCard(
  uid: Buffer,
  info: Buffer,
  heads: Readonly<Record<SlotId, Buffer>>,
  readSlot: (slot: SlotId) => Promise<SlotReading>,
): Promise<CardVerdict> {
  const problem = layoutProblem(info);
  if (problem !== null) return unreadable(problem);
  const [first, second] = slotOrder(heads);
  const faults: string[] = [];
  let mismatches = 0;
  for (const slot of [first, second]) {
    const reading = await readSlot(slot);
    switch (reading.mac) {
      case 'valid': {
        const decoded = decodeInfo(info);
        if (!decoded.ok) return unreadable(decoded.why);
        const { purse } = reading;
        const data: CardData = { uid: uid.toString('hex').toUpperCase(), ...decoded.info, layoutVersion: LAYOUT_VERSION, ...purse };
        return { ok: true, data, current: slot, skipped: faults };
      }
      case 'undecodable':
        return unreadable(`slot ${slot} passes its MAC but ${reading.why}: the newest state on the card cannot be read`);
      case 'mismatch': {
        mismatches += 1;
        const claimed = headCounter(heads[slot]);
        if (slot === first && claimed === headCounter(heads[second]) + 1) {
          return invalid(`slot ${slot} claims counter ${claimed}, the next after slot ${second}'s, but fails its MAC: altered or forged`);
        }
        faults.push(`slot ${slot}: MAC mismatch`);
        break;
      }
      case 'blank':
        faults.push(`slot ${slot}: blank`);
        break;
    }
  }
  const all = faults.join('; ');
  return mismatches > 0 ? invalid(`no purse slot passes its MAC (${all})`) : unreadable(`the card holds no purse (${all})`);
}

/** The order to try the slots in: the higher claimed counter first, A on a tie (a new card has A written, B blank). */
export function slotOrder(heads: Readonly<Record<SlotId, Buffer>>): readonly [SlotId, SlotId] {
  return headCounter(heads.B) > headCounter(heads.A) ? ['B', 'A'] : ['A', 'B'];
}

function invalid(message: string): CardVerdict {
  return { ok: false, code: ErrorCode.CardInvalid, message };
}

function unreadable(message: string): CardVerdict {
  return { ok: false, code: ErrorCode.CardUnreadable, message };
}
