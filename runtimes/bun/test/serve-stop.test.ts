// Runs under `bun test runtimes/bun/test/` (npm run test:bun).
import { expect, test } from 'bun:test';
import { MemoryBackend, Monitor } from '../../../src/index.js';
import { flushOnExit } from '../../node/src/flush-on-exit.js';
import { neverEndingEvents } from '../../test-support/streaming.js';
import { serve } from '../index.js';

/** flushOnExit's process-wide state (see runtimes/node/src/flush-on-exit.ts): the handlers a signal would drain. */
const exitTargets = (): number =>
  (globalThis as unknown as Record<symbol, { targets: Set<unknown> } | undefined>)[Symbol.for('@lexigram/monitor/flush-on-exit/state/v1')]?.targets.size ?? 0;

async function waitFor(done: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

test('bun: serve() leaves the exit flush once its server is stopped, after flushing its last telemetry; stop() keeps its arguments and return value', async () => {
  const before = exitTargets();
  const memory = new MemoryBackend();
  const config = { serviceName: 'bun-serve-stop', backends: [memory], exportDelayMs: 60_000 };
  const options = { port: 0, hostname: '127.0.0.1', instrumentation: { traceFetch: false } };
  for (let i = 0; i < 3; i++) {
    const server = serve((req) => (new URL(req.url).pathname === '/events' ? neverEndingEvents() : new Response('hi')), config, options);
    expect(exitTargets()).toBe(before + 1);
    expect(await (await fetch(`http://127.0.0.1:${server.port}/run-${i}`)).text()).toBe('hi');
    // A response that never ends: only stop(true), Bun's "close active connections", settles.
    const stream = await fetch(`http://127.0.0.1:${server.port}/events`);
    await stream.body!.getReader().read();
    const stopped = server.stop(true);
    expect(stopped).toBeInstanceOf(Promise); // Bun's own return value
    await stopped;
    await waitFor(() => exitTargets() === before);
    expect(exitTargets()).toBe(before);
  }
  // Nothing was lost by leaving: each server's last request was flushed first.
  expect(memory.spans.map((s) => s.attributes['url.path']).filter((p) => p !== '/events').sort()).toEqual(['/run-0', '/run-1', '/run-2']);
}, 30_000);

test("bun: monitor.shutdown() alone takes serve()'s handler out of the exit flush, its server still running", async () => {
  const monitor = new Monitor({ serviceName: 'bun-monitor-shutdown', backends: [new MemoryBackend()] });
  const before = exitTargets();
  const server = serve(() => new Response('hi'), monitor, { port: 0, hostname: '127.0.0.1', instrumentation: { traceFetch: false } });
  expect(exitTargets()).toBe(before + 1);
  await monitor.shutdown();
  // Another registration (a server started later) finds the shut-down monitor gone.
  const other = flushOnExit({ shutdown: async () => {} });
  expect(exitTargets()).toBe(before + 1);
  other();
  await server.stop(true);
});
