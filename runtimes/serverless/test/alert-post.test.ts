/**
 * Lambda freezes the sandbox when the handler returns: an alert's webhook post started during the
 * invocation must be finished by then, or it hangs until the next thaw (or is lost). A real local
 * receiver answers slowly; the notifier is created once, with no waitUntil of its own.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SLO, SLOMonitor, webhookNotifier } from '../../../src/index.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test-support/webhook-receiver.js';
import { wrapFunction } from '../index.js';

let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(150);
});
afterAll(() => receiver.close());

test("an SLO alert raised in a Lambda invocation: the handler's promise settles after the webhook's answer was read", async () => {
  const { monitor } = createTestMonitor();
  let answered = 0;
  const notifier = webhookNotifier({ url: receiver.url, fetch: (input, init) => fetch(input, init).then((r) => (answered++, r)) });
  const slos = new SLOMonitor({ slos: [new SLO({ name: 'checkout', target: 0.99, windowSeconds: 3600 })], monitor, notifier });
  const handler = wrapFunction(async (_e: unknown, _c: unknown) => {
    slos.recordObservation('checkout', false);
    return { statusCode: 200, body: 'ok' };
  }, monitor);
  const context = { awsRequestId: 'r1', functionName: 'checkout', getRemainingTimeInMillis: () => 10_000 };
  expect(await handler({ version: '2.0', rawPath: '/pay', headers: {}, requestContext: { http: { method: 'POST' } } }, context)).toEqual({ statusCode: 200, body: 'ok' });
  // Returned: every post that left was answered and read, none still in flight to be frozen.
  expect(receiver.posts.length).toBeGreaterThanOrEqual(1);
  expect(answered).toBe(receiver.posts.length);
});
