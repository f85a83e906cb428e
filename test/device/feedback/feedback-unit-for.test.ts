import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedbackUnitSimulator } from '../../../device/feedback/feedback-unit-simulator.ts';
import { serialLink } from '../../../device/feedback/serial-link.ts';
import { SimulatedFeedbackUnit } from '../../../device/feedback/simulated-feedback-unit.ts';
import { feedbackUnitFor } from '../../../src/app/feedback-unit-for.ts';
import { parseConfig } from '../../../src/config/load-config.ts';
import { systemClock } from '../../../src/domain/time.ts';
import { screenFor } from '../../../src/feedback/messages.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { socatMissing, SocatPty } from '../../support/socat-pty.ts';

const welcome = screenFor({ kind: 'welcome' }, { moneyUnit: 'toman', lowBalance: 0 });
const missing = socatMissing();

describe('the feedback unit of a door, from the config', () => {
  it('is none by default (existing configs and npm start keep working), with the protocol defaults', () => {
    const config = parseConfig({}, 'test.json');
    expect(config.readers.map((r) => r.feedback)).toEqual([null, null]);
    expect(config.feedback).toEqual({ ackTimeoutMs: 150, retries: 2, probeSeconds: 1 });
    const withPort = parseConfig({ readers: [{ id: 'front', feedback: { port: '/dev/ttyUSB0' } }] }, 'test.json');
    expect(withPort.readers[0]?.feedback).toEqual({ port: '/dev/ttyUSB0', baudRate: 115_200 });
    expect(() => parseConfig({ readers: [{ id: 'front', feedback: { port: '/dev/ttyUSB0', baudRate: 300 } }] }, 'test.json')).toThrow(
      /readers\.0\.feedback\.baudRate = 300/,
    );
    expect(parseConfig({ display: { moneyUnit: 'new-rial' } }, 'test.json').display.moneyUnit).toBe('new-rial');
  });

  it('keeps the screen in memory when the door has no unit configured', async () => {
    const config = parseConfig({}, 'test.json');
    const unit = feedbackUnitFor(config.readers[0]!, config, systemClock, silentLogger, welcome);
    expect(unit).toBeInstanceOf(SimulatedFeedbackUnit);
    await unit.close();
  });

  it.skipIf(missing !== null)(`drives the unit on the configured serial port, and status shows its health${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feedback-config-'));
    const wire = await SocatPty.start(dir, 'feedback');
    const sim = new FeedbackUnitSimulator(serialLink(wire.feed, 9600));
    try {
      await sim.start();
      const config = parseConfig({ readers: [{ id: 'front', feedback: { port: wire.port, baudRate: 9600 } }] }, 'test.json');
      const unit = feedbackUnitFor(config.readers[0]!, config, systemClock, silentLogger, welcome);
      try {
        await unit.show(welcome);
        expect(sim.screen).toMatchObject({ line1: welcome.line1, line2: welcome.line2, led: 'off' });
        expect(unit.health()).toMatchObject({ state: 'up', detail: `${wire.port} at 9600 baud, firmware SIM-1.0` });
      } finally {
        await unit.close();
      }
    } finally {
      await sim.close();
      await wire.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
