// backendUnreachable: a timeout names what allows longer, and only a setting that exists for the command.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { backendUnreachable } from '../../sync/client/unreachable.ts';

const timedOut = Object.assign(new Error('timeout of 1000ms exceeded'), { code: 'ECONNABORTED' });

describe('backendUnreachable', () => {
  it('a timeout names the setting the caller says applies', () => {
    const e = backendUnreachable(timedOut, 'https://backend.example', { ms: 60_000, setting: 'sync.requestTimeoutSeconds in /etc/validator/config.json' });
    expect(e.code).toBe(ErrorCode.BackendUnreachable);
    expect(e.message).toBe('https://backend.example did not answer within 60 s: check the network, or allow longer with sync.requestTimeoutSeconds in /etc/validator/config.json');
    expect(backendUnreachable(timedOut, 'https://backend.example', { ms: 500, setting: '--timeout' }).message).toBe(
      'https://backend.example did not answer within 0.5 s: check the network, or allow longer with --timeout',
    );
  });

  it('a timeout no setting can lengthen (validator enroll) offers none', () => {
    expect(backendUnreachable(timedOut, 'https://backend.example', { ms: 15_000, setting: null }).message).toBe('https://backend.example did not answer within 15 s: check the network');
  });
});
