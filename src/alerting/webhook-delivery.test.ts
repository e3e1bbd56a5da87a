import { describe, expect, it, vi } from 'vitest';
import type { Alert } from './notifier.js';
import { webhookNotifier } from './webhook-notifier.js';

const firing: Alert = { source: 'slo', key: 'slo:checkout:page', name: 'checkout', state: 'firing', severity: 'critical', summary: 's', time: Date.UTC(2025, 0, 1) };

describe('webhookNotifier delivery', () => {
  it('headers given as a Headers or as pairs are sent (spread as a record, a Headers lost its Authorization without a word)', async () => {
    for (const given of [new Headers({ authorization: 'Bearer t0k' }), [['authorization', 'Bearer t0k']] as [string, string][]]) {
      const seen: Headers[] = [];
      const fetch = (async (_u: string, init?: RequestInit) => {
        seen.push(new Headers(init?.headers));
        return new Response('ok');
      }) as typeof globalThis.fetch;
      const n = webhookNotifier({ url: 'https://hooks.example.com/alerts', headers: given, fetch, minIntervalSeconds: 0 });
      n.notify(firing);
      await n.flush!();
      expect(seen).toHaveLength(1);
      expect(seen[0].get('authorization')).toBe('Bearer t0k');
      expect(seen[0].get('content-type')).toBe('application/json');
    }
    expect(() => webhookNotifier({ url: 'https://hooks.example.com/alerts', headers: new Map([['bad header', 'x']]) as unknown as Headers })).toThrow(/webhookNotifier: headers holds an invalid name or value/);
  });

  it('a relative redirect Location (the secret path with a trailing slash) is printed with its host only, never its path', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const fetch = (async () => new Response(null, { status: 308, headers: { location: '/services/T0ABC/B0DEF/XyZs3cretPath/' } })) as typeof globalThis.fetch;
      const n = webhookNotifier({ url: 'https://hooks.example.com/services/T0ABC/B0DEF/XyZs3cretPath', fetch, minIntervalSeconds: 0 });
      n.notify(firing);
      await n.flush!();
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('redirect (HTTP 308 to https://hooks.example.com/…)');
      expect(lines[0]).not.toMatch(/XyZs3cretPath|T0ABC/);
    } finally {
      warn.mockRestore();
    }
  });

  it('a fetch that ignores its abort signal holds flush() only until the post is given up (its timeout and a second), not for ever', async () => {
    let calls = 0;
    const fetch = (() => (calls++ === 0 ? new Promise<Response>(() => {}) : Promise.resolve(new Response('ok')))) as typeof globalThis.fetch;
    const n = webhookNotifier({ url: 'https://hooks.example.com/alerts', fetch, timeoutSeconds: 0.05, minIntervalSeconds: 0 });
    n.notify(firing);
    n.notify({ ...firing, state: 'resolved' }); // waits for the post in flight
    await n.flush!(); // waited for ever before
    await n.flush!();
    expect(calls).toBe(2); // the held resolve went once the hung post was given up
  });

  it('a firing post that timed out may have arrived (a slow receiver): the recovery is still posted as resolved, so the receiver does not page for ever', async () => {
    const got: string[] = [];
    let slow = true;
    const fetch = (async (_u: string, init?: RequestInit) => {
      const state = (JSON.parse(String(init?.body)) as Alert).state;
      got.push(state); // the receiver took it, but answers after the timeout
      if (slow) {
        slow = false;
        await new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      }
      return new Response('ok');
    }) as typeof globalThis.fetch;
    const n = webhookNotifier({ url: 'https://hooks.example.com/alerts', fetch, timeoutSeconds: 0.05, minIntervalSeconds: 0, onError: () => {} });
    n.notify(firing);
    await n.flush!();
    n.notify({ ...firing, state: 'resolved' }); // recovered before the retry of firing
    await n.flush!();
    expect(got).toEqual(['firing', 'resolved']);
  });

  it('a post whose fetch never settles (its abort ignored) is given up at the timeout as a failed delivery: reported, and the firing is posted again before any resolve', async () => {
    const got: string[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const fetch = ((_u: string, init?: RequestInit) => {
      if (calls++ === 0) return new Promise<Response>(() => {});
      got.push((JSON.parse(String(init?.body)) as Alert).state);
      return Promise.resolve(new Response('ok'));
    }) as typeof globalThis.fetch;
    const n = webhookNotifier({ url: 'https://hooks.example.com/alerts', fetch, timeoutSeconds: 0.05, minIntervalSeconds: 0, onError: (e) => errors.push(e) });
    n.notify(firing);
    await n.flush!(); // the hung post is given up
    n.notify(firing); // still firing: was dropped as "being sent" for ever
    await n.flush!();
    n.notify({ ...firing, state: 'resolved' });
    await n.flush!();
    expect({ got, errors: errors.length }).toEqual({ got: ['firing', 'resolved'], errors: 1 });
  });

  it('a hung post whose timeout timer never runs (a Worker whose request is gone) is given up by the next notify after its timeout and a second, and its firing posted again', async () => {
    const got: string[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const fetch = ((_u: string, init?: RequestInit) => {
      if (calls++ === 0) return new Promise<Response>(() => {});
      got.push((JSON.parse(String(init?.body)) as Alert).state);
      return Promise.resolve(new Response('ok'));
    }) as typeof globalThis.fetch;
    const n = webhookNotifier({ url: 'https://hooks.example.com/alerts', fetch, timeoutSeconds: 0.05, minIntervalSeconds: 0, onError: (e) => errors.push(e) });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      n.notify(firing); // its timers are never run
    } finally {
      vi.useRealTimers();
    }
    await new Promise((r) => setTimeout(r, 1100));
    n.notify(firing);
    await n.flush!();
    n.notify({ ...firing, state: 'resolved' });
    await n.flush!();
    expect({ got, errors: errors.length }).toEqual({ got: ['firing', 'resolved'], errors: 1 });
  });
});
