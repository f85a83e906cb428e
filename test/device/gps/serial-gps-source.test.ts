import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocatPty, socatMissing } from '../../support/socat-pty.ts';
import { readingWith, testSource } from './helpers.ts';

const skip = socatMissing();

const RMC = '$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D\r\n';
const RMC_VOID = '$GPRMC,030720.000,V,,,,,,,311214,,,N*4F\r\n';

// socat restarts and port reopen cycles: a loaded 2-core CI box needs more than vitest's 5 s default.
describe.skipIf(skip !== null)(`serial GPS on a socat pseudo-terminal${skip ? ` (skipped: ${skip})` : ''}`, { timeout: 30_000 }, () => {
  let dir: string;
  let pty: SocatPty;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gps-serial-'));
    pty = await SocatPty.start(dir);
  });

  afterEach(async () => {
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('unplugged (socat stopped), the source says so; replugged (socat again), it reopens by itself', async () => {
    const source = testSource(pty.port);
    try {
      await readingWith(source.readings$, 'no-fix');
      await pty.write(RMC);
      const fix = await readingWith(source.readings$, 'fix');
      expect(fix.fix).toMatchObject({ lat: expect.closeTo(-37.784788333, 6) as number, lon: expect.closeTo(175.314896667, 6) as number });
      expect(fix.fix?.speedMps).toBeCloseTo(0.355, 3);

      await pty.stop();
      const gone = await readingWith(source.readings$, 'no-receiver');
      expect(gone.fix).toBeNull();

      pty = await SocatPty.start(dir);
      // Reopened: no fix from before the unplug is carried over.
      expect((await readingWith(source.readings$, 'no-fix')).fix).toBeNull();
      await pty.write(RMC);
      expect((await readingWith(source.readings$, 'fix')).fix?.time).toBe(Date.parse('2014-12-31T03:07:19.000Z'));
    } finally {
      await source.close();
    }
  });

  it('a silent receiver goes stale after the timeout; garbage and bad checksums do not refresh it', async () => {
    const source = testSource(pty.port, { staleAfterMs: 300 });
    try {
      await readingWith(source.readings$, 'no-fix');
      await pty.write(RMC);
      await readingWith(source.readings$, 'fix');
      const started = Date.now();
      await pty.write('\x00\xff garbage $GPRMC,030721.000,A,3747.0876,S,17518.8934,E,0.89,181.39,311214,,,A*00\r\n$GPGGA,0307\r\n');
      const stale = await readingWith(source.readings$, 'stale');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(stale.fix).toBeNull();
      expect(source.current().status).toBe('stale');
    } finally {
      await source.close();
    }
  });

  it('a void RMC is no fix, and the fix comes back with the next valid one', async () => {
    const source = testSource(pty.port);
    try {
      await readingWith(source.readings$, 'no-fix');
      await pty.write(RMC);
      await readingWith(source.readings$, 'fix');
      await pty.write(RMC_VOID);
      expect((await readingWith(source.readings$, 'no-fix')).clockErrorMs).not.toBeNull();
    } finally {
      await source.close();
    }
  });

  it('a port that does not exist is retried until it appears', async () => {
    const path = join(dir, 'later-port');
    const source = testSource(path);
    try {
      expect(source.current().status).toBe('no-receiver');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const later = await SocatPty.start(dir, 'later');
      try {
        await readingWith(source.readings$, 'no-fix');
        await later.write(RMC);
        await readingWith(source.readings$, 'fix');
      } finally {
        await source.close();
        await later.stop();
      }
    } finally {
      await source.close();
    }
  });
});

describe('serial GPS closed while its port is opening', () => {
  it('closes the port that opens after close()', async () => {
    let opened: (() => void) | null = null;
    let closed = 0;
    const link = {
      isOpen: false,
      open(callback: (error: Error | null) => void) {
        opened = () => {
          link.isOpen = true;
          callback(null);
        };
      },
      close(callback: (error: Error | null) => void) {
        link.isOpen = false;
        closed++;
        callback(null);
      },
      on() {
        return link;
      },
      removeAllListeners() {
        return link;
      },
    };
    const source = testSource('/dev/slow', { link: () => link });
    await source.close();
    (opened as (() => void) | null)?.();
    expect(link.isOpen).toBe(false);
    expect(closed).toBe(1);
  });
});
