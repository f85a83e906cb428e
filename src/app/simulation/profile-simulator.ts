import { setTimeout as delay } from 'node:timers/promises';
import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import type { CardStore } from '../../../device/sim/card-store.ts';
import { cardProfile, type CardProfile } from '../../../device/sim/card-profiles.ts';
import { presentProfile, profileCard } from '../../../device/sim/profile-cards.ts';
import type { SimulatedReader } from '../../../device/sim/simulated-reader.ts';
import type { KeyStore } from '../../../device/qom-card/key-store.ts';
import type { QomCardCodec } from '../../../device/qom-card/qom-card-codec.ts';
import type { Clock } from '../../domain/time.ts';
import type { TapOutcome } from '../../pipeline/tap-outcome.ts';
import type { CardSimulator, ProfileInfo } from '../hardware.ts';

export interface ProfileSimulatorOptions {
  readonly profiles: readonly CardProfile[];
  readonly readerById: (id: string) => SimulatedReader;
  readonly defaultReader: () => string;
  readonly store: CardStore;
  readonly codec: QomCardCodec;
  readonly keys: KeyStore;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly outcomes$: Observable<TapOutcome>;
  /** How long to wait for a presentation's outcome before calling the pipeline stuck. */
  readonly settleMs: number;
}

/** How long a passenger told "try again" takes to present the card again. */
const RETRY_PAUSE_MS = 600;

/**
 * Presents profile cards as passengers would: the card is held until the feedback, then lifted. A card
 * pulled away mid-write is presented again after the "try again", as the passenger would, which is when
 * its interrupted debit resolves.
 */
export class ProfileSimulator implements CardSimulator {
  readonly profiles: readonly ProfileInfo[];

  constructor(private readonly options: ProfileSimulatorOptions) {
    this.profiles = options.profiles.map((p) => ({ name: p.name, key: p.key, description: p.description }));
  }

  async tap(profileName: string, readerId: string | null): Promise<TapOutcome[]> {
    const { store, codec, keys, clock, timeZone } = this.options;
    const profile = cardProfile(profileName);
    const reader = this.options.readerById(readerId ?? this.options.defaultReader());
    const card = await profileCard(store, profile, { codec, keys, now: clock.now(), timeZone });

    const outcomes: TapOutcome[] = [];
    const presentations = await this.withOutcomes(outcomes, () => presentProfile(reader, card, profile));
    reader.remove();
    if (profile.behaviour.kind === 'torn' && outcomes.at(-1)?.notice.kind === 'try-again') {
      await delay(RETRY_PAUSE_MS);
      await this.withOutcomes(outcomes, () => Promise.resolve([reader.present(card)]));
      reader.remove();
    }
    return presentations.length > 0 ? outcomes : [];
  }

  /** Runs `present` and waits for the outcome of each presentation it made, appending them in order. */
  private async withOutcomes(into: TapOutcome[], present: () => Promise<readonly { readonly id: string }[]>): Promise<readonly { readonly id: string }[]> {
    const seen = new Map<string, TapOutcome>();
    const subscription = this.options.outcomes$.subscribe((o) => seen.set(o.presentationId, o));
    try {
      const presentations = await present();
      for (const p of presentations) {
        const outcome =
          seen.get(p.id) ??
          (await firstValueFrom(
            this.options.outcomes$.pipe(
              filter((o) => o.presentationId === p.id),
              timeout(this.options.settleMs),
            ),
          ));
        into.push(outcome);
      }
      return presentations;
    } finally {
      subscription.unsubscribe();
    }
  }
}
