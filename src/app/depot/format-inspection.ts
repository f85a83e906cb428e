import type { CardInspection as CardBytes, SlotInspection } from '../../../device/qom-card/card-inspection.ts';
import type { LastTrip } from '../../domain/card.ts';
import type { CardInspection } from './depot-card.ts';

/** `validator card read`: what a technician needs to see, and the whole inspection for --json. */
export function formatInspection(card: CardBytes): CardInspection {
  const lines = [`card UID ${card.uid}, layout version ${card.layoutVersion}`];
  lines.push(
    card.info
      ? `  number ${card.info.number}, category ${card.info.category}, valid ${card.info.issued} to ${card.info.expires}`
      : `  card information does not decode: ${card.infoProblem ?? 'unknown problem'}`,
  );
  for (const id of ['A', 'B'] as const) lines.push(slotLine(id, card.slots[id], card.current === id));
  lines.push(
    card.verdict.ok
      ? `  a validator reads: balance ${card.verdict.data.balance} rials, ${card.verdict.data.status}, counter ${card.verdict.data.counter}`
      : `  a validator rejects it: ${card.verdict.code} (${card.verdict.message})`,
  );
  return { uid: card.uid, lines, json: card };
}

function slotLine(id: string, slot: SlotInspection, current: boolean): string {
  const head = `  slot ${id}${current ? ' (current)' : ''}: MAC ${slot.mac}`;
  if (slot.mac === 'blank') return `${head}, never written`;
  if (slot.problem !== null) return `${head}, ${slot.problem}`;
  if (!slot.purse) return head;
  const { counter, balance, status, lastTrip } = slot.purse;
  const claim = slot.mac === 'valid' ? '' : ' (claimed, not to be trusted)';
  return `${head}, counter ${counter}, balance ${balance} rials, ${status}${claim}; last trip: ${trip(lastTrip)}`;
}

function trip(t: LastTrip | null): string {
  if (!t) return 'none';
  const stop = t.stop === null ? '' : ` stop ${t.stop}`;
  return `${new Date(t.time).toISOString()} route ${t.route}${stop}, ${t.amount} rials, ${t.vehicle}/${t.device}, transfers ${t.transfersUsed} since ${new Date(t.chainStart).toISOString()}`;
}
