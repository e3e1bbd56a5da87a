import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { instrumentListener } from '../index.js';

/** One GET to the local server, its answer read to the end. */
function send(port: number, path: string, headers: Record<string, string | string[]> = {}): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    get({ port, host: '127.0.0.1', path, headers }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject),
  );
}

// instrumentListener reads the request for its telemetry from Node's own header object (no Web
// Request is made for it); a `route(request)` option still gets a Web Request.
async function once(options: Parameters<typeof instrumentListener>[2]): Promise<MemoryBackend> {
  const memory = new MemoryBackend();
  const listener = instrumentListener((_req, res) => res.end('ok'), { serviceName: 'listener-request', backends: [memory] }, options);
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await send(port, '/a/../items/7?q=1', { 'user-agent': 'ua/1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-tenant': ['t1', 't2'] });
    await listener.flush();
  } finally {
    server.close();
    await listener.shutdown();
  }
  return memory;
}

test('node: instrumentListener records the URL, the headers and the incoming trace as a Web Request gives them', async () => {
  const memory = await once({ captureHeaders: { requestHeaders: ['x-tenant', 'user-agent'] } });
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(span.parentSpanId).toBe('b7ad6b7169203331');
  expect(span.attributes).toMatchObject({
    'url.path': '/items/7',
    'url.query': 'q=1',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'user_agent.original': 'ua/1',
    'http.request.header.x-tenant': ['t1, t2'],
    'http.request.header.user-agent': ['ua/1'],
  });
});

test('node: instrumentListener gives a route(request) option a Web Request', async () => {
  let seen: unknown;
  const memory = await once({
    route: (request) => {
      seen = request;
      return `/items/${new URL(request.url).pathname.split('/')[2] ? ':id' : ''}`;
    },
  });
  expect(seen).toBeInstanceOf(Request);
  expect((seen as Request).headers.get('user-agent')).toBe('ua/1');
  expect(memory.spans.find((s) => s.kind === 2)!.attributes['http.route']).toBe('/items/:id');
});

test('node: a listener mounted after a middleware that set headers in its own case records them as a Web Request gave them', async () => {
  const memory = new MemoryBackend();
  const inner = instrumentListener((_req, res) => res.end('ok'), { serviceName: 'listener-request', backends: [memory] }, { captureHeaders: { requestHeaders: ['x-request-id'] } });
  // An Express app's middleware, then the instrumented sub-app: Node's req, headers rewritten.
  const server = createServer((req, res) => {
    req.headers['X-Request-Id'] = 'r-42';
    req.headers['User-Agent'] = 'rewritten/1';
    delete req.headers['user-agent'];
    req.headers['Traceparent'] = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    inner(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await send(port, '/x');
    await inner.flush();
  } finally {
    server.close();
    await inner.shutdown();
  }
  const span = memory.spans.find((s) => s.kind === 2)!;
  expect(span.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  expect(span.attributes).toMatchObject({ 'user_agent.original': 'rewritten/1', 'http.request.header.x-request-id': ['r-42'] });
});
