/**
 * Lambda freezes the sandbox when the handler returns: an alert's webhook post started during the
 * invocation must be finished by then, or it hangs until the next thaw (or is lost). A real local
 * receiver answers slowly; the notifier is created once, with no waitUntil of its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SLO, SLOMonitor, webhookNotifier } from '../../../src/index.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';

let receiver: Server;
let url: string;
const posts: unknown[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      posts.push(JSON.parse(body));
      setTimeout(() => res.writeHead(200).end('ok'), 150);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise((r) => receiver.close(r)));

test("an SLO alert raised in a Lambda invocation: the handler's promise settles after the webhook's answer was read", async () => {
  const { monitor } = createTestMonitor();
  let answered = 0;
  const notifier = webhookNotifier({ url, fetch: (input, init) => fetch(input, init).then((r) => (answered++, r)) });
  const slos = new SLOMonitor({ slos: [new SLO({ name: 'checkout', target: 0.99, windowSeconds: 3600 })], monitor, notifier });
  const handler = wrapFunction(async () => {
    slos.recordObservation('checkout', false);
    return { statusCode: 200, body: 'ok' };
  }, monitor);
  const context = { awsRequestId: 'r1', functionName: 'checkout', getRemainingTimeInMillis: () => 10_000 };
  expect(await handler({ version: '2.0', rawPath: '/pay', headers: {}, requestContext: { http: { method: 'POST' } } }, context)).toEqual({ statusCode: 200, body: 'ok' });
  // Returned: every post that left was answered and read, none still in flight to be frozen.
  expect(posts.length).toBeGreaterThanOrEqual(1);
  expect(answered).toBe(posts.length);
});
