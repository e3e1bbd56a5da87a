/**
 * Handler inputs past what the runtime gives, in real workerd (miniflare 4): a stand-in
 * controller's `scheduledTime` beyond the range of a Date (Number.MAX_SAFE_INTEGER, as a test may
 * pass for "far in the future") must run the handler, traced, with no `faas.time`; toISOString's
 * RangeError was thrown into the call before the handler ran.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

describe('workerd, handler inputs', () => {
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  beforeAll(async () => {
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('worker-handler-inputs.ts'), vars: {} });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('a scheduledTime past the range of a Date: the run is traced, without faas.time (a RangeError was thrown into the call)', async () => {
    expect(await get(`/scheduled?t=${Number.MAX_SAFE_INTEGER}`)).toEqual({ ran: true });
    for (let i = 0; ; i++) {
      const d = await get('/dump');
      const span = d.spans.find((s: any) => s.name === 'scheduled * * * * *');
      if (span) {
        expect(d.runs).toEqual([Number.MAX_SAFE_INTEGER]);
        expect(span.attributes['faas.time']).toBeUndefined();
        expect(span.attributes['faas.cron']).toBe('* * * * *');
        break;
      }
      if (i > 200) throw new Error(JSON.stringify(d));
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
