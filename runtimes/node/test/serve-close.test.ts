import { Agent, get } from 'node:http';
import { expect, test } from 'vitest';
import { MemoryBackend, Monitor } from '../../../src/index.js';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { flushOnExit, serve } from '../index.js';

/** flushOnExit's process-wide state (see flush-on-exit.ts): the handlers a signal would drain. */
const exitTargets = (): number =>
  (globalThis as unknown as Record<symbol, { targets: Set<unknown> } | undefined>)[Symbol.for('@lexigram/monitor/flush-on-exit/state/v1')]?.targets.size ?? 0;

test('node: serve().close() unregisters its handler from flushOnExit, so servers started and closed in turn are not kept alive by it', async () => {
  const before = exitTargets();
  for (let i = 0; i < 3; i++) {
    const s = await serve(() => new Response('hi'), { serviceName: 'close', backends: [new MemoryBackend()] }, { port: 0, hostname: '127.0.0.1', traceFetch: false });
    expect(exitTargets()).toBe(before + 1);
    expect(await (await fetch(s.url)).text()).toBe('hi');
    await s.close();
    expect(exitTargets()).toBe(before);
  }
  untraceGlobalFetch();
});

test('node: serve() on a port in use rejects and leaves no handler registered with flushOnExit', async () => {
  const s = await serve(() => new Response('hi'), { serviceName: 'close', backends: [new MemoryBackend()] }, { port: 0, hostname: '127.0.0.1', traceFetch: false });
  const before = exitTargets();
  await expect(serve(() => new Response('hi'), { serviceName: 'close', backends: [new MemoryBackend()] }, { port: s.port, hostname: '127.0.0.1', traceFetch: false })).rejects.toThrow(/EADDRINUSE/);
  expect(exitTargets()).toBe(before);
  await s.close();
});

test('node: serve().close() during a request on a kept-alive connection resolves once it is answered, not a keepAliveTimeout later', async () => {
  const s = await serve(
    async () => {
      await new Promise((r) => setTimeout(r, 300));
      return new Response('slow');
    },
    { serviceName: 'close', backends: [new MemoryBackend()] },
    { port: 0, hostname: '127.0.0.1', traceFetch: false, flushOnExit: false },
  );
  const agent = new Agent({ keepAlive: true });
  try {
    const answered = new Promise<string>((resolve) => get({ port: s.port, host: '127.0.0.1', path: '/', agent }, (res) => res.setEncoding('utf8').on('data', resolve)));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await s.close();
    expect(await answered).toBe('slow');
    // Node's keepAliveTimeout is 5000 ms: the connection must not be left open that long.
    expect(Date.now() - started).toBeLessThan(2000);
  } finally {
    agent.destroy();
  }
});

test("node: monitor.shutdown() alone takes serve()'s handler out of the exit flush, its server still running", async () => {
  const monitor = new Monitor({ serviceName: 'close', backends: [new MemoryBackend()] });
  const before = exitTargets();
  const s = await serve(() => new Response('hi'), monitor, { port: 0, hostname: '127.0.0.1', traceFetch: false });
  expect(exitTargets()).toBe(before + 1);
  await monitor.shutdown();
  // Another registration (a server started later) finds the shut-down monitor gone.
  const other = flushOnExit({ shutdown: async () => {} });
  expect(exitTargets()).toBe(before + 1);
  other();
  await s.close();
});

test("node: serve().close() flushes and leaves the app's monitor running: another server and the app's own metrics on it keep recording (as Bun's stop() and Deno's shutdown())", async () => {
  const memory = new MemoryBackend();
  const monitor = new Monitor({ serviceName: 'shared', backends: [memory], onDiagnostic: () => {} });
  const orders = monitor.metrics.createCounter('orders_total', 'Orders');
  const a = await serve(() => new Response('a'), monitor, { port: 0, hostname: '127.0.0.1', traceFetch: false, flushOnExit: false });
  const b = await serve(() => new Response('b'), monitor, { port: 0, hostname: '127.0.0.1', traceFetch: false, flushOnExit: false });
  expect(await (await fetch(a.url + '/one')).text()).toBe('a');
  await a.close();
  // Flushed by close(): the first server's span is out.
  expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/one']);
  expect(monitor.closed).toBe(false);
  expect(await (await fetch(b.url + '/two')).text()).toBe('b');
  orders.increment();
  await b.close();
  expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/one', '/two']);
  const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
  expect(dropped?.points.filter((p) => (p as { value: number }).value !== 0) ?? []).toEqual([]);
  expect((monitor.metrics.collect().metrics.find((m) => m.name === 'orders_total')?.points[0] as { value: number } | undefined)?.value).toBe(1);
  await monitor.shutdown();
});
