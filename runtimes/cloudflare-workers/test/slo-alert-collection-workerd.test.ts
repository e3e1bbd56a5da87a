/**
 * SLO alerts checked at collections of the monitor's metrics, in real workerd (README "## SLOs"):
 * the end of a burst, held back by the once-a-second limit, alerts by the flush of its own
 * invocation when a backend takes metrics, or at the next Prometheus scrape; an alert ends at a
 * later collection with no SLO traffic; a webhook receiver that is down fails no response.
 * Outcomes only, polled with generous deadlines.
 */
import type { Miniflare } from 'miniflare';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test-support/webhook-receiver.js';
import { fixture, startWorker } from './helpers/workerd.js';

interface Seen {
  notified: string[];
  delivered: Record<string, number>;
  errors: string[];
}
interface Post {
  key: string;
  state: string;
  source: string;
  name: string;
}

/** A port on 127.0.0.1 that nothing listens on: a connection there is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function until<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

describe.each([
  { label: 'nodejs_compat (AsyncLocalStorage)', flags: ['nodejs_compat'] },
  { label: 'no AsyncLocalStorage', flags: [] as string[] },
])('SLO alerts at collections in workerd, $label', ({ flags }) => {
  let mf: Miniflare;
  let receiver: WebhookReceiver;
  let receiver2: WebhookReceiver;
  const posts = (key: string, state?: string): Post[] => (receiver.posts as Post[]).filter((p) => p.key === key && (state === undefined || p.state === state));
  const state = async (): Promise<Seen> => (await (await mf.dispatchFetch('http://worker.test/state')).json()) as Seen;
  const get = async (path: string): Promise<[number, string]> => {
    const res = await mf.dispatchFetch(`http://worker.test${path}`);
    return [res.status, await res.text()];
  };

  beforeAll(async () => {
    // Holds its answers until release(): a post the Worker let go of when its invocation ended is never answered.
    receiver = await startWebhookReceiver();
    receiver2 = await startWebhookReceiver();
    const down = `http://127.0.0.1:${await closedPort()}/hook`;
    mf = await startWorker({ flags, entry: fixture('slo-alert-collection.ts'), vars: { HOOK_URL: receiver.url, HOOK2_URL: receiver2.url, DOWN_URL: down } });
  }, 120_000);

  afterAll(async () => {
    await mf?.dispose();
    await receiver?.close();
    await receiver2?.close();
  });

  test('the end of a burst pages by the flush of its own request: posted with no further request, its answer read after the response', async () => {
    expect(await get('/flush/burst/flush_burst')).toEqual([200, 'burst recorded for flush_burst']);
    // No request is sent meanwhile: the flush of the burst's own request raised the page.
    await until('the page post', () => posts('slo:flush_burst:page', 'firing').length, (n) => n >= 1);
    receiver.release();
    // The post outlived the response: its answer was read by the notifier's fetch (/state collects nothing).
    const seen = await until('the page answer read', state, (s) => (s.delivered['slo:flush_burst:page'] ?? 0) >= 1);
    expect(posts('slo:flush_burst:page')).toEqual([expect.objectContaining({ source: 'slo', name: 'flush_burst', state: 'firing' })]);
    expect(seen.errors.filter((e) => e.includes('flush_burst'))).toEqual([]);
  });

  test('a page ends at a later request flush with no SLO traffic, once its short window has emptied', async () => {
    receiver.release();
    await until('the page firing', () => posts('slo:flush_burst:page', 'firing').length, (n) => n >= 1);
    // /flush/ok records no SLO event: only its flush's collection checks the alert.
    await until('the page resolved', async () => (await get('/flush/ok'), posts('slo:flush_burst:page', 'resolved').length), (n) => n >= 1, 30_000);
    await until('the resolve answer read', state, (s) => (s.delivered['slo:flush_burst:page'] ?? 0) >= 2);
  }, 40_000);

  test('the end of a burst pages by its export when a batch window defers it past the scope: the post is still held', async () => {
    // The first request on this monitor exports at once; the next joins a 20 s batch window, and
    // its export (with the collection that checks the alerts) runs in a timer after its scope closed.
    expect(await get('/batch/ok')).toEqual([200, 'ok']);
    expect(await get('/batch/burst/batch_burst')).toEqual([200, 'burst recorded for batch_burst']);
    const page = (): Post[] => (receiver2.posts as Post[]).filter((p) => p.key === 'slo:batch_burst:page' && p.state === 'firing');
    await until('the page post', () => page().length, (n) => n >= 1);
    receiver2.release();
    const seen = await until('the page answer read', state, (s) => (s.delivered['slo:batch_burst:page'] ?? 0) >= 1);
    expect(seen.errors.filter((e) => e.includes('batch_burst'))).toEqual([]);
  });

  test('with a backend that takes no metrics, a burst alerts at the next Prometheus scrape, which shows its events', async () => {
    receiver.release();
    expect(await get('/scrape/burst/scrape_burst')).toEqual([200, 'burst recorded for scrape_burst']);
    // Nothing collected yet: the first (good) event was checked, the failures wait.
    expect((await state()).notified.filter((n) => n.includes('scrape_burst'))).toEqual([]);
    const [status, body] = await get('/scrape/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/slo_events_total\{slo="scrape_burst"[^}]*\} 60\b/);
    expect(body).toMatch(/slo_good_events_total\{slo="scrape_burst"[^}]*\} 10\b/);
    await until('the page post', () => posts('slo:scrape_burst:page', 'firing').length, (n) => n >= 1);
    await until('the page answer read', state, (s) => (s.delivered['slo:scrape_burst:page'] ?? 0) >= 1);
    // And it ends at a later scrape, with no SLO traffic.
    await until('the page resolved', async () => (await get('/scrape/metrics'), posts('slo:scrape_burst:page', 'resolved').length), (n) => n >= 1, 30_000);
    await until('the resolve answer read', state, (s) => (s.delivered['slo:scrape_burst:page'] ?? 0) >= 2);
  }, 60_000);

  test('a webhook receiver that refuses connections fails no response: alerts raised in the handler, at the flush and at a scrape', async () => {
    // The SLO's first event fires the page inside the handler.
    expect(await get('/flush/first/flush_down_first')).toEqual([200, 'failure recorded for flush_down_first']);
    // The end of a burst fires it at the request's flush.
    expect(await get('/flush/burst/flush_down_burst')).toEqual([200, 'burst recorded for flush_down_burst']);
    // At a scrape: the scrape is answered in full.
    expect(await get('/scrape/burst/scrape_down_burst')).toEqual([200, 'burst recorded for scrape_down_burst']);
    const [status, body] = await get('/scrape/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/slo_events_total\{slo="scrape_down_burst"[^}]*\} 60\b/);
    expect(await get('/flush/ok')).toEqual([200, 'ok']);
    // Each failed post was reported to onError, none delivered.
    const seen = await until('the failed posts reported', state, (s) =>
      ['flush_down_first', 'flush_down_burst', 'scrape_down_burst'].every((n) => s.errors.some((e) => e.startsWith(`slo:${n}:page firing`))),
    );
    for (const n of ['flush_down_first', 'flush_down_burst', 'scrape_down_burst']) expect(seen.delivered[`slo:${n}:page`]).toBeUndefined();
  }, 40_000);
});
