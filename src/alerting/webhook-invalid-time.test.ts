import { expect, it, vi } from 'vitest';
import type { Alert } from './notifier.js';
import { webhookNotifier } from './webhook-notifier.js';

it('an alert whose time is no date (NaN, an invalid Date) is sent with the time of the post, not failed and retried for ever', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    for (const time of [Number.NaN, new Date('nope') as unknown as number]) {
      const bodies: { time: string; state: string }[] = [];
      const fetch = (async (_u: string, init?: RequestInit) => {
        bodies.push(JSON.parse(String(init?.body)));
        return new Response('ok');
      }) as typeof globalThis.fetch;
      const n = webhookNotifier({ url: 'https://hooks.example.com/alerts', fetch, minIntervalSeconds: 0 });
      const before = Date.now();
      n.notify({ source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time } as Alert);
      await n.flush!();
      expect(bodies).toHaveLength(1);
      expect(Date.parse(bodies[0]!.time)).toBeGreaterThanOrEqual(before);
    }
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
  }
});
