/**
 * The Worker's request path reads what it records once: `request.headers`, `url` and `method`
 * are calls into the runtime on workerd, each a cost per request (BENCHMARKS.md, "Request
 * overhead in workerd"), with the same attributes as before.
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrument, instrumentDO, type ExecutionContext } from '../index.js';

function fakeCtx(): ExecutionContext & { pending: Promise<unknown>[] } {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (p) => void pending.push(p), passThroughOnException() {}, props: undefined };
}

/** A Request whose getters count their reads, and whose Headers count the names read. */
function counted(url: string, headers: Record<string, string>) {
  const request = new Request(url, { headers });
  const reads = { headers: 0, url: 0, method: 0, names: [] as string[] };
  const own = request.headers;
  const get = own.get.bind(own);
  own.get = (name: string) => (reads.names.push(name.toLowerCase()), get(name));
  for (const key of ['headers', 'url', 'method'] as const) {
    const getter = Object.getOwnPropertyDescriptor(Request.prototype, key)!.get!;
    Object.defineProperty(request, key, { get: () => (reads[key]++, key === 'headers' ? own : getter.call(request)) });
  }
  return { request, reads };
}

describe('the request path of instrument() reads each request getter once', () => {
  test('request.headers, url and method are read once, and client.address still comes from CF-Connecting-IP', async () => {
    const { monitor, memory } = createTestMonitor();
    const worker = instrument({ fetch: () => new Response('ok') }, monitor);
    const { request, reads } = counted('https://api.example/orders/7?x=1', { 'cf-connecting-ip': '203.0.113.9', 'user-agent': 'ua' });
    const ctx = fakeCtx();
    await worker.fetch!(request, {}, ctx);
    await Promise.all(ctx.pending);
    expect({ headers: reads.headers, url: reads.url, method: reads.method }).toEqual({ headers: 1, url: 1, method: 1 });
    expect(reads.names.filter((n) => n === 'cf-connecting-ip')).toHaveLength(1);
    const [server] = memory.spans;
    expect(server!.attributes).toMatchObject({ 'client.address': '203.0.113.9', 'user_agent.original': 'ua', 'url.path': '/orders/7', 'url.query': 'x=1', 'server.address': 'api.example' });
    expect(memory.getMetric('http.server.active_requests')?.points.map((p) => [p.attributes, (p as { value?: number }).value])).toEqual([[{ 'http.request.method': 'GET', 'url.scheme': 'https' }, 0]]);
  });

  test('an unsampled request reads no CF-Connecting-IP', async () => {
    const { monitor, memory } = createTestMonitor({ sampler: 'always_off' });
    const worker = instrument({ fetch: () => new Response('ok') }, monitor);
    const { request, reads } = counted('https://api.example/', { 'cf-connecting-ip': '203.0.113.9' });
    const ctx = fakeCtx();
    await worker.fetch!(request, {}, ctx);
    await Promise.all(ctx.pending);
    expect(reads.names).not.toContain('cf-connecting-ip');
    expect(memory.spans).toEqual([]);
  });

  test("a Durable Object's fetch records no client.address: its caller is a Worker", async () => {
    const { monitor, memory } = createTestMonitor();
    class Room {
      constructor(readonly state: unknown, readonly env: unknown) {}
      async fetch(_request: Request) {
        return new Response('ok');
      }
    }
    const state = fakeCtx() as unknown as { waitUntil(p: Promise<unknown>): void; pending: Promise<unknown>[]; id: { toString(): string } };
    const room = new (instrumentDO(Room, monitor))(state, {});
    await (await room.fetch(new Request('http://do/', { headers: { 'cf-connecting-ip': '203.0.113.9' } }))).text();
    await Promise.all(state.pending);
    const [server] = memory.spans;
    expect(server!.attributes['cloudflare.durable_object.class']).toBe('Room');
    expect(server!.attributes['client.address']).toBeUndefined();
  });
});
