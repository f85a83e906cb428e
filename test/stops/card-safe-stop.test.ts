import { describe, expect, it } from 'vitest';
import { cardSafeStop } from '../../src/app/start-gps.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/log/logger.ts';

describe('cardSafeStop', () => {
  it('passes a stop the card can hold; drops one it cannot, warning once', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) });
    // Default ids take 22 of the card's 28 characters: 6 are left for the stop.
    const stop = cardSafeStop(parseConfig({}, 'test'), log);
    expect(stop('S-101')).toBe('S-101');
    expect(stop(null)).toBeNull();
    expect(stop('STOP-1234')).toBeNull();
    expect(stop('STOP-1234')).toBeNull();
    expect(stop('ایستگاه')).toBeNull();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('stop STOP-1234 cannot be written onto cards');
  });
});
