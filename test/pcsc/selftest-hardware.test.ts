// `validator selftest` on real hardware without the service: it opens the devices itself. The readers are vpcd's
// on the real pcscd, the GPS a socat pseudo-terminal replaying a gpsd recording, the front door's display the
// feedback unit simulator on another; the rear door has none configured.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FeedbackUnitSimulator } from '../../device/feedback/feedback-unit-simulator.ts';
import { serialLink } from '../../device/feedback/serial-link.ts';
import { resolvePaths } from '../../src/app/paths.ts';
import type { CheckResult } from '../../src/app/selftest/check.ts';
import { runSelftest } from '../../src/app/selftest/run-selftest.ts';
import { fixture } from '../device/gps/helpers.ts';
import { TEST_KEY_FILE } from '../device/helpers.ts';
import { socatMissing, SocatPty } from '../support/socat-pty.ts';
import { vpcdReaderName } from '../support/pcscd.ts';
import { describeStack } from './helpers.ts';

const missing = socatMissing();

describeStack('validator selftest on hardware, without the service', () => {
  const root = mkdtempSync(join(tmpdir(), 'qom-selftest-hw-'));
  const stateDir = join(root, 'state');
  let gpsWire: SocatPty;
  let displayWire: SocatPty;
  let unit: FeedbackUnitSimulator;
  let feeding: NodeJS.Timeout | null = null;

  const run = async (): Promise<Map<string, CheckResult>> => {
    const results = await runSelftest({ paths: resolvePaths({ stateDir, config: join(root, 'config.json') }), simulate: null, timeoutMs: 3_000 }, () => undefined, () => undefined);
    return new Map(results.map((r) => [r.name, r]));
  };

  /** The recording's sentences, one every 20 ms, round and round: a receiver with the sky. */
  const feedGps = (): void => {
    const sentences = fixture('mt3339.log').split('\n').filter((l) => l.startsWith('$'));
    let i = 0;
    feeding = setInterval(() => void gpsWire.write(`${sentences[i++ % sentences.length]}\r\n`), 20);
  };

  beforeAll(async () => {
    if (missing !== null) return;
    mkdirSync(stateDir);
    gpsWire = await SocatPty.start(root, 'gps');
    displayWire = await SocatPty.start(root, 'feedback');
    unit = new FeedbackUnitSimulator(serialLink(displayWire.feed, 115_200));
    await unit.start();
    const keys = join(root, 'card-keys.json');
    copyFileSync(TEST_KEY_FILE, keys);
    chmodSync(keys, 0o600);
    const config = {
      readers: [
        { id: 'front', name: vpcdReaderName(0), feedback: { port: displayWire.port } },
        { id: 'rear', name: vpcdReaderName(1) },
      ],
      keys: { file: keys },
      gps: { port: gpsWire.port },
      fares: { bundle: join(import.meta.dirname, '../../fares/qom-1404') },
    };
    writeFileSync(join(root, 'config.json'), JSON.stringify(config));
  });

  afterAll(async () => {
    if (feeding) clearInterval(feeding);
    await unit?.close();
    await gpsWire?.stop();
    await displayWire?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(missing !== null)(`sees each reader through PC/SC, the GPS fix, the display's answer; skips what is not configured${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    feedGps();
    const r = await run();
    expect(r.get('reader front')).toMatchObject({ verdict: 'pass', detail: `seen by PC/SC as "${vpcdReaderName(0)}"` });
    expect(r.get('reader rear')).toMatchObject({ verdict: 'pass', detail: `seen by PC/SC as "${vpcdReaderName(1)}"` });
    expect(r.get('display front')).toMatchObject({ verdict: 'pass', detail: `answers: ${displayWire.port} at 115200 baud, firmware SIM-1.0` });
    expect(r.get('display rear')).toMatchObject({ verdict: 'skip' });
    expect(r.get('gps')?.verdict).toBe('pass');
    expect(r.get('gps')?.detail).toMatch(new RegExp(`^fix \\d+\\.\\d{6} -?\\d+\\.\\d{6} from ${gpsWire.port} at 9600 baud within \\d+\\.\\d s$`));
    expect(r.get('card keys')).toMatchObject({ verdict: 'pass' });
    // The recording is from 2015: against it, this system clock is years ahead.
    expect(r.get('clock')?.verdict).toBe('fail');
    expect(r.get('clock')?.detail).toMatch(/ ahead of GPS: more than 60 s off/);
    // A fresh device: not enrolled, no deny list yet, nothing journaled.
    expect(r.get('enrollment')).toMatchObject({ verdict: 'fail' });
    expect(r.get('deny list')).toMatchObject({ verdict: 'fail', detail: 'no deny list: every card passes the deny-list check' });
    expect(r.get('journal')).toMatchObject({ verdict: 'skip' });
  });

  it.skipIf(missing !== null)('fails a display that does not answer and a GPS port that sends nothing, each saying what to check', async () => {
    if (feeding) clearInterval(feeding);
    feeding = null;
    // A fresh pair of ptys: nothing the recording sent earlier is left waiting in the port.
    await gpsWire.stop();
    gpsWire = await SocatPty.start(root, 'gps');
    unit.silent = true;
    const r = await run();
    expect(r.get('display front')?.verdict).toBe('fail');
    expect(r.get('display front')?.detail).toMatch(/^does not answer: .*\(.* at 115200 baud\)$/);
    expect(r.get('display front')?.fix).toMatch(/^check the unit's cable and power/);
    expect(r.get('gps')?.verdict).toBe('fail');
    expect(r.get('gps')?.detail).toMatch(new RegExp(`^${gpsWire.port} at 9600 baud opens, but no NMEA sentence came in 3\\.\\d s$`));
    expect(r.get('gps')?.fix).toMatch(/gps\.baudRate/);
    expect(r.get('reader front')?.verdict).toBe('pass');
  });
});
