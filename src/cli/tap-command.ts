import { callControl } from '../control/control-client.ts';
import { resolvePaths } from '../app/paths.ts';
import type { ProfileInfo } from '../app/hardware.ts';
import type { TapOutcome } from '../pipeline/tap-outcome.ts';

export interface TapCommandOptions {
  readonly stateDir?: string;
  readonly profile: string;
  readonly reader?: string;
  readonly json?: boolean;
}

/** A decision was made when the passenger was told accepted, already paid or rejected. */
export function isDecision(outcome: TapOutcome): boolean {
  const kind = outcome.notice.kind;
  return kind === 'accepted' || kind === 'already-paid' || kind === 'rejected';
}

/** `validator tap <profile>`: exit 0 when the last presentation ended with a decision, 3 when not. */
export async function tapCommand(options: TapCommandOptions): Promise<number> {
  const paths = resolvePaths(options);
  const result = (await callControl(
    paths.controlSocket,
    'tap',
    { profile: options.profile, reader: options.reader ?? null },
    { timeoutMs: 15_000 },
  )) as { outcomes: TapOutcome[]; profiles?: ProfileInfo[] };
  if (options.json) process.stdout.write(JSON.stringify(result) + '\n');
  else for (const o of result.outcomes) process.stdout.write(describeOutcome(o) + '\n');
  if (result.profiles) {
    if (!options.json) for (const p of result.profiles) process.stdout.write(`${p.name.padEnd(12)} ${p.description}\n`);
    return 0;
  }
  const last = result.outcomes.at(-1);
  return last && isDecision(last) ? 0 : 3;
}

/** A few lines a person reads: the English line, the Persian screen, the journal seq. */
export function describeOutcome(o: TapOutcome): string {
  const seqs = o.records.map((r) => `${r.seq} (${r.result} ${r.reason})`).join(', ');
  return [
    `${o.reader} door · card ${o.cardNumber ?? o.cardUid} · ${o.screen.english}`,
    `  ${o.screen.line1}`,
    `  ${o.screen.line2}`,
    `  LED ${o.screen.led}, beep ${o.screen.beep} · journal ${seqs || 'no record'} · ${o.elapsedMs} ms`,
  ].join('\n');
}
