/**
 * A queue batch's outcome on its CONSUMER span: the messages the handler retried, as
 * `cloudflare.queue.retried` (a batch whose every message was retried looked like a success).
 * The calls reach the batch's and messages' own methods, on those objects, with their arguments.
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, type MessageBatch, type QueueMessage } from '../index.js';

const ctx = () => ({ waitUntil(_p: Promise<unknown>) {} });

function batch(size: number, freeze = false) {
  const calls: unknown[] = [];
  const messages = Array.from({ length: size }, (_, i) => {
    const m: QueueMessage = {
      id: `m${i}`,
      timestamp: new Date(0),
      body: i,
      attempts: 1,
      ack() {
        calls.push(['ack', this === m]);
      },
      retry(o) {
        calls.push(['retry', this === m, o]);
      },
    };
    return freeze ? Object.freeze(m) : m;
  });
  const b: MessageBatch = {
    queue: 'jobs',
    messages,
    ackAll() {
      calls.push(['ackAll', this === b]);
    },
    retryAll(o) {
      calls.push(['retryAll', this === b, o]);
    },
  };
  return { batch: freeze ? Object.freeze(b) : b, calls };
}

async function run(handle: (b: MessageBatch) => void, size = 3, freeze = false) {
  const { monitor, memory } = createTestMonitor();
  const worker = instrument({ async queue(b) { handle(b); } }, monitor);
  const { batch: b, calls } = batch(size, freeze);
  await worker.queue(b, {}, ctx());
  await monitor.flush();
  const span = memory.spans.find((s) => s.name === 'process jobs')!;
  return { retried: span.attributes['cloudflare.queue.retried'], calls };
}

describe('queue batch outcome on the CONSUMER span', () => {
  test('every message retried: the count is on the span, and each retry() reached its message', async () => {
    const r = await run((b) => b.messages.forEach((m) => m.retry({ delaySeconds: 5 })));
    expect(r.retried).toBe(3);
    expect(r.calls).toEqual([0, 1, 2].map(() => ['retry', true, { delaySeconds: 5 }]));
  });

  test('retryAll() counts the whole batch; acked messages and a batch never retried carry no count', async () => {
    expect((await run((b) => b.retryAll({ delaySeconds: 9 }))).retried).toBe(3);
    const some = await run((b) => (b.messages[0]!.ack(), b.messages[1]!.retry()));
    expect(some.retried).toBe(1);
    expect(some.calls).toEqual([['ack', true], ['retry', true, undefined]]);
    const none = await run((b) => b.ackAll());
    expect(none.retried).toBeUndefined();
    expect(none.calls).toEqual([['ackAll', true]]);
  });

  test('a frozen batch (a test stub) is left as it is: the calls go through, nothing throws', async () => {
    const r = await run((b) => (b.messages[0]!.retry(), b.retryAll()), 2, true);
    expect(r.calls).toEqual([['retry', true, undefined], ['retryAll', true, undefined]]);
    expect(r.retried).toBeUndefined();
  });
});
