/**
 * An alert raised inside a request, posted by a webhookNotifier created once per isolate (so it
 * has no `ctx.waitUntil` of its own), in real workerd: the request keeps itself alive for the post
 * through its scope, so the receiver's slow answer is still read after the response left.
 */
import type { Miniflare } from 'miniflare';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

let mf: Miniflare;
let receiver: Server;
const posts: unknown[] = [];

beforeAll(async () => {
  // Answers 300 ms after the body arrived: well after the Worker's response has left.
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      posts.push(JSON.parse(body));
      setTimeout(() => res.writeHead(200).end('ok'), 300);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('worker-alert.ts'), vars: { HOOK_URL: `http://127.0.0.1:${port}/hook` } });
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await new Promise((r) => receiver?.close(r));
});

test("an SLO alert's webhook post outlives the response that raised it: its answer is read, with no waitUntil passed to the notifier", async () => {
  const started = Date.now();
  const res = await mf.dispatchFetch('http://worker.test/checkout');
  expect(await res.text()).toBe('failed checkout recorded');
  // The response did not wait for the receiver.
  expect(Date.now() - started).toBeLessThan(300);
  let state = { delivered: 0, errors: [] as string[] };
  // One post per burn-rate alert that fires (the page and the ticket).
  for (let i = 0; i < 50 && (state.delivered === 0 || state.delivered < posts.length); i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = (await (await mf.dispatchFetch('http://worker.test/state')).json()) as typeof state;
  }
  expect(posts.length).toBeGreaterThanOrEqual(1);
  for (const p of posts) expect(p).toMatchObject({ source: 'slo', state: 'firing', name: 'checkout' });
  expect(state).toEqual({ delivered: posts.length, errors: [] });
});
