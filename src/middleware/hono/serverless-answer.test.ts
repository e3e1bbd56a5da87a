/**
 * A Hono app under wrapFunction (Lambda through hono/aws-lambda, and a fetch-style function) with
 * monitorMiddleware registered after a middleware that throws after next(): Hono's onError answers
 * 500 once the middleware has returned. The invocation's span records it as a handler's throw is
 * recorded (ERROR, one exception event), and the web.request hook fires once with the 500 sent and
 * the error. A plain request fires it once, with 200.
 */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { describe, expect, test, vi } from 'vitest';
import { wrapFunction } from '../../../runtimes/serverless/index.js';
import { HookRegistry } from '../../hooks/registry.js';
import type { WebRequestEvent } from '../../hooks/events.js';
import { SpanKind, SpanStatus } from '../../model/span-data.js';
import type { Monitor } from '../../monitor.js';
import { createTestMonitor } from '../../testing/index.js';
import { monitorMiddleware } from './index.js';

const boom = new Error('after next');

function setup() {
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

type Call = (app: Hono, monitor: Monitor, path: string) => Promise<number>;

const lambda: Call = async (app, monitor, path) => {
  const h = wrapFunction(handle(app) as never, monitor) as unknown as (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
  const event = { version: '2.0', rawPath: path, rawQueryString: '', routeKey: '$default', headers: { host: 'h' }, requestContext: { http: { method: 'GET', path }, domainName: 'h' }, isBase64Encoded: false };
  return (await h(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 })).statusCode;
};

const fetchStyle: Call = async (app, monitor, path) => {
  const h = wrapFunction((req: Request) => app.fetch(req), monitor) as unknown as (req: Request) => Promise<Response>;
  const res = await h(new Request(`http://h${path}`));
  await res.text();
  await monitor.flush();
  return res.status;
};

describe.each([
  ['Lambda (hono/aws-lambda)', lambda],
  ['a fetch-style function', fetchStyle],
] as const)('Hono under wrapFunction: %s', (_name, call) => {
  test('a throw after next() in a middleware before monitorMiddleware: span ERROR with its exception, hook once with 500 and the error', async () => {
    const { monitor, app, seen, spans } = setup();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await call(app, monitor, '/x/1')).toBe(500);
    } finally {
      printed.mockRestore();
    }
    expect(spans()).toEqual([{ status: SpanStatus.ERROR, message: 'after next', code: 500, exceptions: ['after next'] }]);
    expect(seen.map((e) => [e.route, e.status, e.error])).toEqual([['/x/:id', 500, boom]]);
  });

  test('a plain request: the hook fires once, with 200', async () => {
    const { monitor, app, seen, spans } = setup();
    expect(await call(app, monitor, '/ok')).toBe(200);
    expect(spans()).toEqual([{ status: SpanStatus.UNSET, message: undefined, code: 200, exceptions: [] }]);
    expect(seen.map((e) => [e.route, e.status, e.error])).toEqual([['/ok', 200, undefined]]);
  });
});
