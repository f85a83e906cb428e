import type { CardData } from '../domain/card.ts';
import type { FarePolicy, FareQuote } from '../domain/fare-policy.ts';
import { Reason } from '../domain/reasons.ts';
import type { TapContext } from '../domain/tap-context.ts';
import type { Clock } from '../domain/time.ts';
import type { FareBundle } from './fare-bundle.ts';
import { GtfsFarePolicy, type GtfsFarePolicyOptions } from './gtfs-fare-policy.ts';

/** The version recorded for a tap when no bundle is in force yet. */
export const NO_BUNDLE_VERSION = 'none';

/**
 * The fares in force at each instant: a new bundle takes effect at its effectiveFrom, and until then the
 * one before it stays (fare changes in Iran start on a date the city council sets). Immutable: `with`
 * gives a new schedule, so a tap in progress never sees the bundles change under it.
 */
export class ScheduledFarePolicy implements FarePolicy {
  /** Ascending effectiveFrom; of two with the same effectiveFrom, the one added later comes last and wins. */
  private readonly policies: readonly GtfsFarePolicy[];

  /** `clock` only answers `version` for status displays; quotes use the tap's own time. */
  constructor(
    bundles: readonly FareBundle[],
    private readonly options: GtfsFarePolicyOptions,
    private readonly clock: Clock,
  ) {
    // Each policy checks the options against its bundle: a bundle the options do not fit is refused here.
    const policies = bundles.map((b) => new GtfsFarePolicy(b, options));
    this.policies = policies
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.bundle.effectiveFrom - b.p.bundle.effectiveFrom || a.i - b.i)
      .map(({ p }) => p);
  }

  /** The schedule with one more bundle; one of the same version replaces the old. */
  with(bundle: FareBundle): ScheduledFarePolicy {
    const kept = this.policies.map((p) => p.bundle).filter((b) => b.version !== bundle.version);
    return new ScheduledFarePolicy([...kept, bundle], this.options, this.clock);
  }

  /** Drops bundles superseded before `now`: the one in force and those still to come remain. */
  prunedAt(now: number): ScheduledFarePolicy {
    const current = this.policyAt(now);
    const kept = this.policies.filter((p) => p === current || p.bundle.effectiveFrom > now).map((p) => p.bundle);
    return new ScheduledFarePolicy(kept, this.options, this.clock);
  }

  /** The policy in force at an instant, or null before the first bundle's effectiveFrom. */
  policyAt(now: number): GtfsFarePolicy | null {
    let found: GtfsFarePolicy | null = null;
    for (const p of this.policies) {
      if (p.bundle.effectiveFrom > now) break;
      found = p;
    }
    return found;
  }

  versionAt(now: number): string {
    return this.policyAt(now)?.version ?? NO_BUNDLE_VERSION;
  }

  /** The version in force now (for the journal, prefer versionAt(tap time): see docs/fares.md). */
  get version(): string {
    return this.versionAt(this.clock.now());
  }

  /** The bundles held, in order of effectiveFrom. */
  get bundles(): readonly FareBundle[] {
    return this.policies.map((p) => p.bundle);
  }

  quote(card: CardData, context: TapContext, now: number): FareQuote {
    const policy = this.policyAt(now);
    if (policy === null) return { result: 'reject', reason: Reason.NoFare, amount: 0, transfer: false, lastTrip: null };
    return policy.quote(card, context, now);
  }
}
