/**
 * A Hono app served by the Node adapters (instrument() + toNodeListener, instrumentListener)
 * with monitorMiddleware registered after a middleware that throws after next(): Hono's onError
 * answers 500 once the middleware has returned. The adapter's span records that answer as a
 * handler's throw is recorded (ERROR, one exception event), and the web.request hook fires once
 * with the 500 sent and the error, not with the handler's 200. A plain request fires it once, 200.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { instrument, instrumentListener, toNodeListener } from '../index.js';
import { HookRegistry } from '../../../src/hooks/registry.js';
import type { WebRequestEvent } from '../../../src/hooks/events.js';
import { monitorMiddleware } from '../../../src/middleware/hono/index.js';
import { SpanKind, SpanStatus } from '../../../src/model/span-data.js';
import type { Monitor } from '../../../src/monitor.js';
import { createTestMonitor } from '../../../src/testing/index.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

const boom = new Error('after next');

function setup(): { monitor: Monitor; app: Hono; seen: WebRequestEvent[]; spans: () => { status: number; message?: string; code: unknown; exceptions: unknown[] }[] } {
  const { monitor, memory } = createTestMonitor();
  const hooks = new HookRegistry();
  const seen: WebRequestEvent[] = [];
  hooks.on('web.request', (e) => void seen.push(e));
  monitor.subscribeHooks(hooks);
  const app = new Hono();
  app.use('/x/*', async (_c, next) => {
    await next();
    throw boom;
  });
  app.use(monitorMiddleware(monitor));
  app.get('/x/:id', (c) => c.text('x'));
  app.get('/ok', (c) => c.text('ok'));
  const spans = () =>
    memory.spans
      .filter((s) => s.kind === SpanKind.SERVER)
      .map((s) => ({
        status: s.status.code,
        message: s.status.message,
        code: s.attributes['http.response.status_code'],
        exceptions: s.events.filter((e) => e.name === 'exception').map((e) => e.attributes['exception.message']),
      }));
  return { monitor, app, seen, spans };
}

async function listen(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function get(url: string): Promise<number> {
  const res = await fetch(url);
  await res.text();
  return res.status;
}

const adapters: [string, (app: Hono, monitor: Monitor) => { listener: (req: IncomingMessage, res: ServerResponse) => void; flush(): Promise<void> }][] = [
  [
    'instrument() + toNodeListener',
    (app, monitor) => {
      const handler = instrument((req) => app.fetch(req), monitor, { traceFetch: false });
      return { listener: toNodeListener(handler), flush: () => handler.flush() };
    },
  ],
  [
    'instrumentListener',
    (app, monitor) => {
      const listener = instrumentListener(
        async (req, res) => {
          const response = await app.fetch(new Request(`http://localhost${req.url}`, { method: req.method }));
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(await response.text());
        },
        monitor,
        { traceFetch: false },
      );
      return { listener, flush: () => listener.flush() };
    },
  ],
];

describe.each(adapters)('Hono under %s', (_name, wrap) => {
  test('a throw after next() in a middleware before monitorMiddleware: span ERROR with its exception, hook once with 500 and the error', async () => {
    const { monitor, app, seen, spans } = setup();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { listener, flush } = wrap(app, monitor);
      const base = await listen(listener);
      expect(await get(base + '/x/1')).toBe(500);
      await flush();
    } finally {
      printed.mockRestore();
    }
    expect(spans()).toEqual([{ status: SpanStatus.ERROR, message: 'after next', code: 500, exceptions: ['after next'] }]);
    expect(seen.map((e) => [e.route, e.status, e.error])).toEqual([['/x/:id', 500, boom]]);
  });

  test('a plain request: the hook fires once, with 200', async () => {
    const { monitor, app, seen, spans } = setup();
    const { listener, flush } = wrap(app, monitor);
    const base = await listen(listener);
    expect(await get(base + '/ok')).toBe(200);
    await flush();
    expect(spans()).toEqual([{ status: SpanStatus.UNSET, message: undefined, code: 200, exceptions: [] }]);
    expect(seen.map((e) => [e.route, e.status, e.error])).toEqual([['/ok', 200, undefined]]);
  });
});
