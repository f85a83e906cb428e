import { concatMap, from, map, merge, of, Subject, type Observable } from 'rxjs';

type Item<T> = { readonly card: T } | { readonly probe: number };

/**
 * Proof that each door's tap queue still moves, for the service watchdog. A probe joins every door's
 * queue behind the cards already in it, through the same concatMap, and is answered when it reaches the
 * front. A tap that never ends (a reader driver that stopped answering mid-write) holds every probe
 * behind it, and its door shows as stuck.
 */
export class TapLoopProbe {
  private readonly probes = new Subject<number>();
  /** Door → the last probe its queue answered. */
  private readonly answered = new Map<string, number>();
  private sent = 0;

  /** A door's cards processed one at a time in arrival order, with the probes in the same queue. */
  queue<T>(door: string, cards$: Observable<T>, process: (card: T) => Promise<unknown>): Observable<unknown> {
    this.answered.set(door, this.sent);
    return merge(
      cards$.pipe(map((card): Item<T> => ({ card }))),
      this.probes.pipe(map((probe): Item<T> => ({ probe }))),
    ).pipe(concatMap((item) => ('probe' in item ? of(this.answered.set(door, item.probe)) : from(process(item.card)))));
  }

  /** Sends a probe down every door's queue. */
  send(): void {
    this.probes.next(++this.sent);
  }

  /** The doors whose queue has not yet answered the last probe sent. */
  stuck(): string[] {
    return [...this.answered].filter(([, probe]) => probe < this.sent).map(([door]) => door);
  }
}
