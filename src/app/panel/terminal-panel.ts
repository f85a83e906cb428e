import { emitKeypressEvents } from 'node:readline';
import { renderPanel, type PanelState } from './render-panel.ts';

/** Draws the panel on a terminal's alternate screen and turns single keys into calls. */
export class TerminalPanel {
  private pending: PanelState | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly onKeypress = (text: string | undefined, key: { name?: string; ctrl?: boolean } | undefined): void => {
    // Ctrl-C arrives as a key in raw mode: treat it as the quit key, as a terminal user expects.
    if (key?.ctrl && key.name === 'c') this.onKey('q');
    else if (text) this.onKey(text);
  };

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
    private readonly onKey: (key: string) => void,
  ) {}

  start(): void {
    emitKeypressEvents(this.input);
    this.input.setRawMode(true);
    this.input.on('keypress', this.onKeypress);
    this.input.resume();
    this.out.write('\x1b[?1049h\x1b[?25l');
  }

  /** Redraws at most every 50 ms, always with the newest state. */
  update(state: PanelState): void {
    this.pending = state;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (this.pending) this.draw(this.pending);
    }, 50);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.input.off('keypress', this.onKeypress);
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
    this.out.write('\x1b[?25h\x1b[?1049l');
  }

  private draw(state: PanelState): void {
    this.out.write('\x1b[H\x1b[2J' + renderPanel(state).join('\n') + '\n');
  }
}
