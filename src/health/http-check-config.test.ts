import { describe, expect, it } from 'vitest';
import { httpCheck } from './http-check.js';

// Wrong configuration throws when the check is built, with a message naming the option and
// what is allowed (DESIGN §5), instead of showing up later as a dependency outage.
describe('httpCheck: configuration is checked at construction', () => {
  it('the URL must be an absolute http(s) URL, and the message says so', () => {
    expect(() => httpCheck('not a url')).toThrow(/httpCheck: the URL must be an absolute http\(s\) URL.*"not a url"/);
    expect(() => httpCheck('/health')).toThrow(/absolute http\(s\) URL/);
    expect(() => httpCheck('ftp://files.internal/')).toThrow(/http: or https:/);
    expect(() => httpCheck(new URL('https://payments.internal/health'))).not.toThrow();
  });

  it('degradedAfterMs, expectStatus, fetch and method of the wrong kind throw naming the option', () => {
    const url = 'http://svc.internal/health';
    expect(() => httpCheck(url, { degradedAfterMs: -1 })).toThrow(/degradedAfterMs/);
    expect(() => httpCheck(url, { degradedAfterMs: 'fast' as unknown as number })).toThrow(/degradedAfterMs/);
    expect(() => httpCheck(url, { degradedAfterMs: Number.NaN })).toThrow(/degradedAfterMs/);
    expect(() => httpCheck(url, { expectStatus: '200' as unknown as number })).toThrow(/expectStatus/);
    expect(() => httpCheck(url, { expectStatus: [200, '204' as unknown as number] })).toThrow(/expectStatus/);
    expect(() => httpCheck(url, { fetch: 5 as unknown as typeof fetch })).toThrow(/fetch/);
    expect(() => httpCheck(url, { method: 7 as unknown as string })).toThrow(/method/);
    expect(() => httpCheck(url, { degradedAfterMs: 0, expectStatus: [200, 204], method: 'HEAD', fetch: async () => new Response() })).not.toThrow();
    expect(() => httpCheck(url, { expectStatus: (s) => s < 500 })).not.toThrow();
  });

  it('a misspelled option throws listing the known ones: degradedAfter would leave the check never DEGRADED', () => {
    const url = 'http://svc.internal/health';
    const typo = (o: object) => () => httpCheck(url, o as Parameters<typeof httpCheck>[1]);
    expect(typo({ degradedAfter: 500 })).toThrow(/httpCheck: unknown option `degradedAfter`; known options are .*degradedAfterMs/);
    expect(typo({ timeoutMs: 1000 })).toThrow(/unknown option `timeoutMs`/);
    expect(typo({ expectedStatus: 204 })).toThrow(/unknown option `expectedStatus`.*expectStatus/);
    expect(typo({ method: 'HEAD', headers: {}, expectStatus: 204, degradedAfterMs: 1, component: 'db', fetch: async () => new Response() })).not.toThrow();
  });
});

describe('httpCheck: a service binding is called as its method', () => {
  it('fetch: an object with a fetch method (a Workers service binding) is called on the object', async () => {
    // Like workerd's Fetcher: its method needs `this`, and a detached call throws.
    class Binding {
      readonly calls: string[] = [];
      async fetch(input: string): Promise<Response> {
        if (!(this instanceof Binding)) throw new TypeError('Illegal invocation');
        this.calls.push(input);
        return new Response('ok', { status: 200 });
      }
    }
    const binding = new Binding();
    const result = await httpCheck('https://auth.internal/health', { fetch: binding }).check(1);
    expect(result.status).toBe('healthy');
    expect(binding.calls).toEqual(['https://auth.internal/health']);
    expect(() => httpCheck('https://auth.internal/health', { fetch: {} as unknown as typeof fetch })).toThrow(/fetch/);
  });
});
