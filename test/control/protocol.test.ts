import { describe, expect, it } from 'vitest';
import { encodeResponse, parseRequest, parseResponse } from '../../src/control/protocol.ts';
import { ErrorCode, isValidatorError } from '../../src/domain/errors.ts';

describe('control protocol', () => {
  it('reads a request, taking an absent version as 1 and absent params as {}', () => {
    expect(parseRequest('{"id":3,"method":"taps"}')).toEqual({
      ok: true,
      request: { v: 1, id: 3, method: 'taps', params: {} },
    });
  });

  it('keeps the id of a request it refuses when it can read one', () => {
    const bad = parseRequest('{"id":7,"method":""}');
    expect(bad).toMatchObject({ ok: false, id: 7 });
    expect(parseRequest('[1,2]')).toMatchObject({ ok: false, id: null });
    expect(parseRequest('{"id":1.5,"method":"x"}')).toMatchObject({ ok: false, id: null });
  });

  it('refuses another protocol version, saying which', () => {
    const r = parseRequest('{"v":2,"id":1,"method":"status"}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('v2, this validator speaks v1');
  });

  it('always sends a result, null for undefined', () => {
    expect(encodeResponse({ id: 1, ok: true, result: undefined })).toBe('{"id":1,"ok":true,"result":null}\n');
  });

  it('throws ControlProtocol on a response line it cannot read', () => {
    for (const line of ['nope', '{"id":1,"ok":"yes"}', '{"id":1,"ok":false,"error":"x"}']) {
      let thrown: unknown;
      try {
        parseResponse(line);
      } catch (e) {
        thrown = e;
      }
      expect(isValidatorError(thrown, ErrorCode.ControlProtocol)).toBe(true);
    }
  });
});
