/**
 * An instrumented Worker under @cloudflare/vitest-pool-workers (tests in workerd): called directly
 * with createExecutionContext()/waitOnExecutionContext(), and through SELF.fetch; its telemetry is
 * exported within the execution context's waitUntil and read from the MemoryBackend.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, expect, it, vi } from 'vitest';
import worker, { memory } from './worker.js';

beforeEach(() => memory.reset());

it('a fetch called directly: the SERVER span, the KV spans and the log are exported by waitOnExecutionContext', async () => {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(new Request('http://example.com/visit'), env as never, ctx);
  expect(await res.json()).toEqual({ visits: 1 });
  await waitOnExecutionContext(ctx);
  const server = memory.spans.find((s) => s.kind === 2);
  expect(server?.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/visit', 'http.response.status_code': 200 });
  const kv = memory.spans.filter((s) => s.attributes['db.system.name'] === 'cloudflare.kv').map((s) => s.name);
  expect(kv).toEqual(expect.arrayContaining(['get KV', 'put KV']));
  for (const s of memory.spans.filter((x) => x !== server)) expect(s.traceId).toBe(server!.traceId);
  expect(memory.logs.map((l) => [l.body, l.attributes, l.traceId])).toEqual([['visit', { visits: 1, path: '/visit' }, server!.traceId]]);
});

it('through SELF.fetch: an incoming traceparent is continued', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const res = await SELF.fetch('http://example.com/again', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  expect(res.status).toBe(200);
  await res.text();
  // SELF's waitUntil is the runtime's: wait for the export to land.
  const mine = () => memory.spans.find((s) => s.kind === 2 && s.attributes['url.path'] === '/again');
  for (let i = 0; i < 100 && !mine(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(mine()).toMatchObject({ traceId, parentSpanId: '00f067aa0ba902b7' });
});

it('a binding method spied on after a first request (vi.spyOn(env.KV, \'get\')) answers through the instrumented env, with its span', async () => {
  const kv = (env as unknown as { KV: { get(k: string): Promise<string | null> } }).KV;
  await (await worker.fetch!(new Request('http://example.com/first'), env as never, createExecutionContext())).json();
  const spy = vi.spyOn(kv, 'get').mockResolvedValue('41');
  try {
    const ctx = createExecutionContext();
    const res = await worker.fetch!(new Request('http://example.com/spied'), env as never, ctx);
    // The instrumented env kept calling the method it read first: the spy was never reached.
    expect(await res.json()).toEqual({ visits: 42 });
    expect(spy).toHaveBeenCalledWith('visits');
    await waitOnExecutionContext(ctx);
    const server = memory.spans.find((s) => s.kind === 2 && s.attributes['url.path'] === '/spied');
    expect(memory.spans.filter((s) => s.name === 'get KV' && s.traceId === server?.traceId)).toHaveLength(1);
  } finally {
    spy.mockRestore();
  }
});
