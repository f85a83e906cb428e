import { describe, expect, it } from 'vitest';
import { batchBody } from '../../sync/client/sync-client.ts';

describe('batchBody', () => {
  it('is the batch as JSON, multi-byte text included', () => {
    const records = [
      { seq: 7, json: '{"seq":7,"reader":"در جلو"}' },
      { seq: 8, json: '{"seq":8,"reader":"rear"}' },
    ];
    const body = batchBody('b-1', records);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ batchId: 'b-1', taps: [{ seq: 7, reader: 'در جلو' }, { seq: 8, reader: 'rear' }] });
    expect(body.toString('utf8')).toBe(`{"batchId":"b-1","taps":[${records.map((r) => r.json).join(',')}]}`);
  });

  it('holds one record, and none', () => {
    expect(JSON.parse(batchBody('b', [{ seq: 1, json: '{}' }]).toString())).toEqual({ batchId: 'b', taps: [{}] });
    expect(JSON.parse(batchBody('b', []).toString())).toEqual({ batchId: 'b', taps: [] });
  });
});
