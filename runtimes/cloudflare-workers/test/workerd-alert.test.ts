/**
 * An alert raised inside a request, posted by a webhookNotifier created once per isolate (so it
 * has no `ctx.waitUntil` of its own), in real workerd: the request keeps itself alive for the post
 * through its scope, so the receiver's slow answer is still read after the response left.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../test-support/webhook-receiver.js';
import { fixture, startWorker } from './helpers/workerd.js';

let mf: Miniflare;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // Holds its answers until the test has read the Worker's response.
  receiver = await startWebhookReceiver();
  mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('worker-alert.ts'), vars: { HOOK_URL: receiver.url } });
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await receiver?.close();
});

test("an SLO alert's webhook post outlives the response that raised it: its answer is read, with no waitUntil passed to the notifier", async () => {
  const res = await mf.dispatchFetch('http://worker.test/checkout');
  // The response did not wait for the post: the receiver has not answered it yet.
  expect(await res.text()).toBe('failed checkout recorded');
  receiver.release();
  let state = { delivered: 0, errors: [] as string[] };
  // One post per burn-rate alert that fires (the page and the ticket).
  for (let i = 0; i < 50 && (state.delivered === 0 || state.delivered < receiver.posts.length); i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = (await (await mf.dispatchFetch('http://worker.test/state')).json()) as typeof state;
  }
  expect(receiver.posts.length).toBeGreaterThanOrEqual(1);
  for (const p of receiver.posts) expect(p).toMatchObject({ source: 'slo', state: 'firing', name: 'checkout' });
  expect(state).toEqual({ delivered: receiver.posts.length, errors: [] });
});
