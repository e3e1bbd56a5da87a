/**
 * A Worker's config that gives no options (a function of the env returning null or nothing, an
 * array) was taken as `{}`, every option lost without a word: it throws, saying what to return.
 */
import { expect, test } from 'vitest';
import { instrument } from '../index.js';

const ctx = { waitUntil() {}, passThroughOnException() {} };
const handler = { fetch: () => new Response('ok') };

test('a function of the env returning null or nothing throws at the first invocation', async () => {
  for (const [config, got] of [[() => null, 'null'], [() => undefined, 'undefined'], [() => ['x'], 'an array']] as const) {
    const worker = instrument(handler, config as never);
    await expect(Promise.resolve().then(() => worker.fetch!(new Request('http://w/'), {}, ctx as never))).rejects.toThrow(`instrument: config (env) => options must return a Monitor or an options object, got ${got}.`);
  }
});

test('an array config throws at instrument()', () => {
  expect(() => instrument(handler, [] as never)).toThrow('instrument: config must be a Monitor, an options object or a function (env) => options, got an array.');
});
