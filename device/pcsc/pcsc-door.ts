import { BehaviorSubject, distinctUntilChanged, Subject, type Observable } from 'rxjs';
import type { CardReader, ReaderState } from '../../src/ports/card-reader.ts';
import type { QomCardPresentation } from '../qom-card/qom-card-presentation.ts';
import type { NfcReader } from './nfc-pcsc.ts';
import type { PcscTransport } from './pcsc-transport.ts';
import type { PcscReaderConfig } from './reader-match.ts';

/** The PC/SC reader a door uses now, from one NFC object (a generation), and the card on it. */
export interface Binding {
  readonly reader: NfcReader;
  readonly generation: number;
  card: PcscTransport | null;
}

/**
 * One configured reader (a door) as the application sees it: its state and its presentations. PcscReaders
 * binds it to whichever PC/SC reader its pattern matches, and unbinds it when that reader goes.
 */
export class PcscDoor implements CardReader, PcscReaderConfig {
  readonly id: string;
  readonly pattern: RegExp;
  binding: Binding | null = null;
  private readonly state: BehaviorSubject<ReaderState>;
  private readonly presentations = new Subject<QomCardPresentation>();
  private finished = false;

  constructor(
    config: PcscReaderConfig,
    initial: ReaderState,
    private readonly onClose: (door: PcscDoor) => Promise<void>,
  ) {
    this.id = config.id;
    this.pattern = config.pattern;
    this.state = new BehaviorSubject(initial);
  }

  get state$(): Observable<ReaderState> {
    return this.state.pipe(distinctUntilChanged(sameState));
  }

  get presentations$(): Observable<QomCardPresentation> {
    return this.presentations.asObservable();
  }

  get closed(): boolean {
    return this.finished;
  }

  /** Stops this door: its streams complete. The PC/SC connection closes with the last door. */
  close(): Promise<void> {
    return this.onClose(this);
  }

  setState(state: ReaderState): void {
    if (!this.finished) this.state.next(state);
  }

  present(presentation: QomCardPresentation): void {
    if (!this.finished) this.presentations.next(presentation);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.state.complete();
    this.presentations.complete();
  }
}

function sameState(a: ReaderState, b: ReaderState): boolean {
  if (a.kind === 'ready') return b.kind === 'ready' && a.name === b.name;
  return b.kind === 'absent' && a.reason === b.reason;
}
