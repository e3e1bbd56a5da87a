/**
 * A Hono request on Node (`app.fetch` in process: no sockets, so the middleware's own cost is
 * not lost in the HTTP stack's), with a SERVER span, the HTTP server metrics and the export:
 * plain Hono; `@hono/otel` 1.1.2 over the SDK (sdk-trace-base with a simple processor and a
 * no-op exporter, sdk-metrics with a reader attached, the AsyncLocalStorage context manager);
 * `monitorMiddleware` over a monitor with a NoOpBackend and AsyncLocalStorage. Not a target of
 * issue 7 (its request target is in workerd: workerd-request.ts); printed as the cost each adds
 * to plain Hono.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { httpInstrumentationMiddleware } from '@hono/otel';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Hono, type MiddlewareHandler } from 'hono';
import { createMonitor, NoOpBackend } from '../src/index.js';
import { monitorMiddleware } from '../src/middleware/hono/index.js';
import { compare, fmtNs } from './lib/harness.js';
import { sdkTracerProvider, useAsyncLocalStorageContext } from './lib/peers.js';

class IdleReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

useAsyncLocalStorageContext();
const routes = (app: Hono): Hono => app.get('/items/:id', (c) => c.json({ id: c.req.param('id') }));
const plain = routes(new Hono());
const theirs = new Hono();
theirs.use(httpInstrumentationMiddleware({ tracerProvider: sdkTracerProvider(), meterProvider: new MeterProvider({ readers: [new IdleReader()] }) }) as MiddlewareHandler);
routes(theirs);
const monitor = createMonitor({ serviceName: 'bench', backends: [new NoOpBackend()], contextStorage: AsyncLocalStorage });
const ours = new Hono();
ours.use(monitorMiddleware(monitor));
routes(ours);

const call = (app: Hono) => async () => {
  const res = await app.fetch(new Request('http://localhost/items/42'));
  await res.arrayBuffer();
};
const [base, otel, lex] = await compare({
  title: 'Hono request on Node (app.fetch, in process)',
  tasks: [
    { name: 'hono 4.13.19, no telemetry', side: 'peer', async: true, fn: call(plain) },
    { name: '@hono/otel 1.1.2 + SDK 2.12.1', side: 'peer', async: true, fn: call(theirs) },
    { name: '@lexigram/monitor monitorMiddleware', side: 'ours', async: true, fn: call(ours) },
  ],
});
const added = (r: typeof base) => r!.medianNs - base!.medianNs;
console.log(`added to plain Hono: @hono/otel + SDK ${fmtNs(added(otel))}, monitorMiddleware ${fmtNs(added(lex))} (${(added(otel) / added(lex)).toFixed(1)}× less)`);
