/**
 * CF-08 A queue consumer under instrument() in real workerd (miniflare 4): each message's `ack()`
 * and `retry({ delaySeconds })`, the batch's `ackAll()` and `retryAll({ delaySeconds })`, and a
 * thrown exception reach the runtime unchanged, as its own record of the batch's outcome shows.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

const message = (id: string, body: unknown) => ({ id, timestamp: new Date(0), body, attempts: 1 });

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, queue consumer semantics under instrument(), $name', ({ flags }) => {
  let mf: Miniflare;
  beforeAll(async () => {
    mf = await startWorker({ flags, entry: fixture('worker-queue-semantics.ts'), vars: {} });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('ack, retry with and without delaySeconds: each message as the handler said', async () => {
    const worker = await mf.getWorker();
    const r = await worker.queue('q1', [message('a', { do: 'ack' }), message('b', { do: 'retry', delaySeconds: 7 }), message('c', { do: 'retry' }), message('d', { do: 'nothing' })]);
    expect(r.outcome).toBe('ok');
    expect(r.ackAll).toBe(false);
    expect(r.explicitAcks).toEqual(['a']);
    expect(r.retryMessages).toEqual([{ msgId: 'b', delaySeconds: 7 }, { msgId: 'c' }]);
    expect(r.retryBatch).toMatchObject({ retry: false });
  });

  test('retryAll with delaySeconds, ackAll', async () => {
    const worker = await mf.getWorker();
    const retried = await worker.queue('q1', [message('a', { do: 'retryAll', delaySeconds: 30 })]);
    expect(retried.retryBatch).toEqual({ retry: true, delaySeconds: 30 });
    const acked = await worker.queue('q1', [message('a', { do: 'ackAll' })]);
    expect(acked.ackAll).toBe(true);
    expect(acked.retryBatch).toMatchObject({ retry: false });
  });

  test('a handler that throws: the invocation fails as it would without the monitor (the runtime retries the batch)', async () => {
    const worker = await mf.getWorker();
    const r = await worker.queue('q1', [message('a', { do: 'ack' }), message('b', { do: 'throw' })]);
    expect(r.outcome).toBe('exception');
    expect(r.explicitAcks).toEqual(['a']);
  });
});
