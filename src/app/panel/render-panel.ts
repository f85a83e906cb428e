import type { TapOutcome } from '../../pipeline/tap-outcome.ts';
import type { FeedbackScreen } from '../../ports/feedback-unit.ts';
import type { ReaderState } from '../../ports/card-reader.ts';

/** Everything the live panel shows; the panel is a pure function of it. */
export interface PanelState {
  readonly heading: string;
  readonly dataDir: string;
  readonly doors: readonly { readonly id: string; readonly reader: ReaderState; readonly screen: FeedbackScreen }[];
  readonly recent: readonly TapOutcome[];
  readonly journal: string;
  readonly sync: string;
  /** The GPS line (fix, stop, clock against GPS), as in validator status. */
  readonly gps: string;
  readonly keys: readonly { readonly key: string; readonly label: string }[];
  readonly footer: string;
}

const ledGlyph: Record<FeedbackScreen['led'], string> = {
  green: '\x1b[32m● green\x1b[0m',
  red: '\x1b[31m● red\x1b[0m',
  amber: '\x1b[33m● amber\x1b[0m',
  off: '○ off',
};

/** The panel as lines of text (ANSI colours, no cursor moves). */
export function renderPanel(state: PanelState): string[] {
  const lines: string[] = [];
  lines.push(`\x1b[1m${state.heading}\x1b[0m`);
  lines.push(`data: ${state.dataDir}`);
  lines.push(`journal: ${state.journal}`);
  lines.push(`sync: ${state.sync}`);
  lines.push(`gps: ${state.gps}`);
  lines.push('');
  for (const door of state.doors) {
    const reader = door.reader.kind === 'ready' ? `reader ${door.reader.name}` : `\x1b[31mno reader: ${door.reader.reason}\x1b[0m`;
    lines.push(`\x1b[1m── ${door.id} door\x1b[0m  (${reader})`);
    lines.push(`   ${door.screen.line1}`);
    lines.push(`   ${door.screen.line2}`);
    lines.push(`   \x1b[2m${door.screen.english}\x1b[0m`);
    lines.push(`   LED ${ledGlyph[door.screen.led]}   buzzer: ${door.screen.beep}`);
  }
  lines.push('');
  lines.push('\x1b[1mlast taps\x1b[0m');
  lines.push(formatRow(['seq', 'door', 'card', 'shown', 'reason', 'fare', 'balance', 'ms']));
  if (state.recent.length === 0) lines.push('   (none yet: press a key below)');
  for (const o of state.recent) lines.push(formatRow(tapRow(o)));
  lines.push('');
  lines.push(state.keys.map((k) => `[${k.key}] ${k.label}`).join('  '));
  lines.push(state.footer);
  return lines;
}

function tapRow(o: TapOutcome): string[] {
  const own = o.records.at(-1);
  const seq = o.records.map((r) => r.seq).join('+') || '-';
  const reason = own?.reason ?? ('reason' in o.notice ? o.notice.reason : '');
  const fare = own ? String(own.fare) : '-';
  const balance = own?.balanceAfter ?? ('balance' in o.notice ? o.notice.balance : null);
  return [seq, o.reader, o.cardNumber ?? o.cardUid, o.notice.kind, reason, fare, balance === null ? '-' : String(balance), String(o.elapsedMs)];
}

const widths = [7, 6, 18, 15, 20, 7, 9, 5];

function formatRow(cells: readonly string[]): string {
  return '   ' + cells.map((c, i) => c.padEnd(widths[i] ?? 8)).join(' ');
}
