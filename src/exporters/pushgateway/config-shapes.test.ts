import { describe, expect, it } from 'vitest';
import { counter, snapshot } from '../../../test/prometheus/fixtures.js';
import { batch } from '../../../test/pushgateway/helpers/recording.js';
import { PushgatewayBackend } from './backend.js';

const base = { url: 'http://127.0.0.1:9091', job: 'j' };

// A Map or Headers has no own properties: read with Object.entries it was an empty grouping key
// (the push went to, and replaced, the job's group alone) or no headers at all, without a word.
describe('PushgatewayBackend: groupingKey and headers must be plain objects', () => {
  it('a Map as groupingKey throws at construction instead of pushing to the job-only group', () => {
    expect(() => new PushgatewayBackend({ ...base, groupingKey: new Map([['instance', 'eu-1']]) as never })).toThrow(
      /^PushgatewayBackend option "groupingKey" must be a plain object of names to string values, such as \{ instance: 'eu-1' \}, got a Map$/,
    );
  });

  it('a Headers or Map as headers throws instead of sending no Authorization', () => {
    expect(() => new PushgatewayBackend({ ...base, headers: new Headers({ authorization: 'Bearer s3cret-token' }) as never })).toThrow(
      /^PushgatewayBackend option "headers" must be a plain object .* got a Headers$/,
    );
    expect(() => new PushgatewayBackend({ ...base, headers: new Map([['authorization', 'x']]) as never })).toThrow(/option "headers" .* got a Map$/);
  });

  it('null names the option (it was a bare "Cannot convert undefined or null to object")', () => {
    expect(() => new PushgatewayBackend({ ...base, groupingKey: null as never })).toThrow(/^PushgatewayBackend option "groupingKey" must be a plain object .* got null$/);
    expect(() => new PushgatewayBackend({ ...base, headers: null as never })).toThrow(/^PushgatewayBackend option "headers" must be a plain object .* got null$/);
  });

  it('plain objects, including ones without a prototype, are taken', () => {
    const key = Object.assign(Object.create(null) as Record<string, string>, { instance: 'eu-1' });
    expect(new PushgatewayBackend({ ...base, groupingKey: key, headers: JSON.parse('{"authorization":"Bearer t"}') }).url).toBe('http://127.0.0.1:9091/metrics/job/j/instance/eu-1');
  });
});

describe('PushgatewayBackend: header values in errors', () => {
  const snap = snapshot(counter('jobs', 'Jobs', '', [[{}, 1]]));

  it('a short header value (a tenant id "1") is not blanked out of every error: the address stays readable', async () => {
    const push = new PushgatewayBackend({
      ...base,
      headers: { 'x-scope-orgid': '1' },
      fetch: () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9091') })),
      // Shorter than the first backoff: the one attempt's error, not retried.
      timeoutMs: 400,
    });
    const r = await push.export(batch(snap));
    expect(r).toEqual({
      ok: false,
      reason: 'export_failed',
      error: expect.stringMatching(/^TypeError: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:9091 \(PUT http:\/\/127\.0\.0\.1:9091\/metrics\/job\/j\); the retry due in \d+ ms is past timeoutMs \(400 ms\)$/),
    });
  });

  it('a secret read with its trailing newline is redacted as sent (fetch trims it), when a proxy echoes it', async () => {
    const push = new PushgatewayBackend({
      ...base,
      headers: { authorization: 'Bearer s3cret-token\n' },
      fetch: async (_u, init) => new Response(`bad credentials: ${new Headers(init.headers).get('authorization')}`, { status: 401 }),
    });
    const r = await push.export(batch(snap));
    expect(r).toEqual({ ok: false, reason: 'export_failed', error: 'Pushgateway answered 401: bad credentials: [redacted]' });
  });
});

// Accepted at construction, these made every push fail ("expect header not supported", "invalid
// upgrade header") or hang until the timeout (a Content-Length that is not the body's).
describe('PushgatewayBackend: headers that are the HTTP client\'s own throw at construction', () => {
  it.each(['Expect', 'content-length', 'Transfer-Encoding', 'keep-alive', 'upgrade', 'connection'])('%s', (name) => {
    expect(() => new PushgatewayBackend({ ...base, headers: { [name]: '100-continue' } })).toThrow(
      `PushgatewayBackend option "headers" has ${JSON.stringify(name)}, which is the HTTP client's to set (a request carrying it fails); leave it out`,
    );
  });
});

// workerd's fetch checks its `this` ("Illegal invocation: function called with incorrect `this`
// reference"); the given fetch was called as a method of the backend, so `fetch: fetch` failed
// every push on Workers.
describe('PushgatewayBackend: the fetch option is called as a plain function', () => {
  it('a fetch that refuses any `this` but the global one (as workerd\'s does) pushes', async () => {
    let calls = 0;
    const strictFetch = function (this: unknown, _url: string, _init: RequestInit): Promise<Response> {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation: function called with incorrect `this` reference.');
      calls++;
      return Promise.resolve(new Response('', { status: 200 }));
    };
    const push = new PushgatewayBackend({ ...base, fetch: strictFetch });
    expect(await push.export(batch(snapshot(counter('jobs', 'Jobs', '', [[{}, 1]]))))).toEqual({ ok: true });
    expect(await push.delete()).toEqual({ ok: true });
    expect(calls).toBe(2);
  });
});
