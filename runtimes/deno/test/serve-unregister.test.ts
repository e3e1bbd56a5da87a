// Runs under `deno test` (npm run test:deno).
import assert from 'node:assert/strict';
import { MemoryBackend, Monitor } from '../../../src/index.ts';
import { flushOnExit, serve } from '../index.ts';

declare const Deno: any;

type ExitState = { targets: Set<unknown> };
const exitState = (): ExitState | undefined =>
  (globalThis as unknown as Record<symbol, ExitState | undefined>)[Symbol.for('@lexigram/monitor/deno-flush-on-exit/state/v1')];

async function waitFor(done: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

Deno.test({
  name: 'deno: serve() leaves the exit flush once its server has closed (shutdown() or the signal option), after flushing its last telemetry',
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const before = exitState()?.targets.size ?? 0;
    const memory = new MemoryBackend();
    const config = { serviceName: 'deno-serve-unregister', backends: [memory], exportDelayMs: 60_000 };
    const options = { hostname: '127.0.0.1', port: 0, onListen() {}, instrumentation: { traceFetch: false } };
    const first = serve(() => new Response('one'), config, options);
    const abort = new AbortController();
    const second = serve(() => new Response('two'), config, { ...options, signal: abort.signal });
    assert.equal(exitState()!.targets.size, before + 2, 'both servers are registered while they run');
    assert.equal(await (await fetch(`http://127.0.0.1:${first.addr!.port}/a`)).text(), 'one');
    assert.equal(await (await fetch(`http://127.0.0.1:${second.addr!.port}/b`)).text(), 'two');

    await first.shutdown();
    await waitFor(() => exitState()!.targets.size === before + 1);
    assert.equal(exitState()!.targets.size, before + 1, 'server.shutdown() unregisters its handler');
    abort.abort();
    await second.finished;
    await waitFor(() => exitState()!.targets.size === before);
    assert.equal(exitState()!.targets.size, before, 'closing through the signal option unregisters its handler');
    // Nothing was lost by leaving: each server's last request was flushed first.
    assert.deepEqual(memory.spans.map((s) => s.attributes['url.path']).sort(), ['/a', '/b']);
  },
});

Deno.test({
  name: "deno: monitor.shutdown() alone takes serve()'s handler out of the exit flush, its server still running",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const monitor = new Monitor({ serviceName: 'deno-monitor-shutdown', backends: [new MemoryBackend()] });
    const options = { hostname: '127.0.0.1', port: 0, onListen() {}, instrumentation: { traceFetch: false } };
    const before = exitState()?.targets.size ?? 0;
    const server = serve(() => new Response('one'), monitor, options);
    assert.equal(exitState()!.targets.size, before + 1);
    await monitor.shutdown();
    // Another registration (a server started later) finds the shut-down monitor gone.
    const other = flushOnExit({ shutdown: async () => {} });
    assert.equal(exitState()!.targets.size, before + 1, 'only the new target is left; the shut-down monitor is not drained again on a signal');
    other();
    await server.shutdown();
  },
});
