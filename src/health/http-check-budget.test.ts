import { describe, expect, it } from 'vitest';
import { HealthCheckRegistry } from './registry.js';
import { httpCheck } from './http-check.js';

/** A fetch answering 200 after `ms`, or rejecting when its signal aborts first. */
const slowFetch = (ms: number) => ({
  fetch: (_url: string, init?: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(new Response('ok')), ms);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new DOMException('This operation was aborted', 'AbortError'));
      });
    }),
});

describe('httpCheck called without a timeout', () => {
  it('is not aborted at once when a function check calls check() with no budget', async () => {
    const payments = httpCheck('https://payments.internal/health', { fetch: slowFetch(20) });
    const direct = await (payments.check as (t?: number) => ReturnType<typeof payments.check>)();
    expect(direct.status).toBe('healthy');
    const r = new HealthCheckRegistry().register('payments', async () => (await (payments.check as () => ReturnType<typeof payments.check>)()).status);
    expect((await r.checkAll()).checks.payments).toMatchObject({ status: 'healthy' });
  });
});
