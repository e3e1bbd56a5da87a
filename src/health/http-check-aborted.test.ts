import { describe, expect, it } from 'vitest';
import { httpCheck } from './http-check.js';

describe('httpCheck given a signal that is already aborted', () => {
  it('sends no request and fails with the signal\'s reason', async () => {
    const calls: (AbortSignal | null | undefined)[] = [];
    const check = httpCheck('https://payments.internal/health', {
      fetch: {
        fetch: (_url: string, init?: RequestInit): Promise<Response> => {
          calls.push(init?.signal);
          // As fetch does: an aborted signal rejects with its reason, before any request.
          if (init?.signal?.aborted) return Promise.reject(init.signal.reason);
          return Promise.resolve(new Response('ok'));
        },
      },
    });
    const controller = new AbortController();
    controller.abort(new DOMException('timed out after 1 s', 'TimeoutError'));
    await expect(check.check(5, controller.signal)).rejects.toMatchObject({ name: 'TimeoutError', message: 'timed out after 1 s' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.aborted).toBe(true);
  });

  it('with the global fetch, no request leaves either', async () => {
    const saved = globalThis.fetch;
    let sent = 0;
    globalThis.fetch = ((_u: unknown, init?: RequestInit) => (init?.signal?.aborted ? Promise.reject(init.signal.reason) : (sent++, Promise.resolve(new Response('ok'))))) as typeof fetch;
    try {
      const controller = new AbortController();
      controller.abort();
      await expect(httpCheck('https://payments.internal/health').check(5, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
      expect(sent).toBe(0);
    } finally {
      globalThis.fetch = saved;
    }
  });
});
