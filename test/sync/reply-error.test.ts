// replyError: what the backend said, read one way for the sync rounds, provisioning, enrollment and selftest.
import { describe, expect, it } from 'vitest';
import { replyError, type TransportReply } from '../../sync/client/transport.ts';

function reply(body: string): TransportReply {
  const bytes = Buffer.from(body);
  return { status: 503, body: bytes, header: () => undefined, json: () => JSON.parse(bytes.toString('utf8')) as unknown };
}

describe('replyError', () => {
  it('is the contract\'s JSON error when there is one', () => {
    expect(replyError(reply('{"error":"device unknown"}'))).toBe('device unknown');
  });

  it('is the start of the body, on one line, otherwise; null for an empty body', () => {
    expect(replyError(reply('<html>\n  <body>Bad Gateway</body>\n</html>\n'))).toBe('<html> <body>Bad Gateway</body> </html>');
    expect(replyError(reply('{"error":{"code":7}}'))).toBe('{"error":{"code":7}}');
    expect(replyError(reply('x'.repeat(500)))).toBe('x'.repeat(200));
    expect(replyError(reply(''))).toBeNull();
  });
});
