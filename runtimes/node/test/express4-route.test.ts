/**
 * `http.route` of an Express 4 app, whose layers keep a RegExp and no pattern (Express 5 keeps it
 * as `rawPath`: express.test.ts). The app is shaped as Express 4 builds it (fixtures/express4-shaped.ts:
 * express@4 is not in node_modules), served by a real node:http server under instrumentListener.
 * HTTP semconv: `http.route` is the matched route template, the application root included.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrumentListener } from '../index.js';
import { app as express, PATTERNS as P, router, type Req } from './fixtures/express4-shaped.js';

const { monitor, memory } = createTestMonitor();
let server: Server;
let base = '';
const listener = (() => {
  const app = express();
  const api = router();
  api.get('/users/:id', P['/users/:id'], (_req, res) => res.end('user'));
  // An error passed on leaves the routers: Express 4 puts req.baseUrl back to the app's ('').
  api.get('/fail/:id', P['/fail/:id'], (_req, _res, next) => next(new Error('no such order')));
  const versions = router();
  versions.get('/items/:id', P['/items/:id'], (_req, res) => res.end('item'));
  api.use('/v/:version', P['/v/:version (use)'], versions);
  app._router.use('/api', P['/api (use)'], api);
  // Shapes whose pattern is read back from the RegExp, and one that is not (a custom capture).
  const items = () =>
    router()
      .get('/items/:id', P['/items/:id'], (_req, res) => res.end('item'))
      .get('/fail/:id', P['/fail/:id'], (_req, _res, next) => next(new Error('no such item')));
  app._router.use('/n/:num(\\d+)', P['/n/:num(\\d+) (use)'], items());
  app._router.use('/opt/:x?', P['/opt/:x? (use)'], items());
  app._router.use('/a.b-c_d', P['/a.b-c_d (use)'], items());
  app._router.use('/old/:version', P['/old/:version (use, 0.1.7)'], items());
  app._router.use('/old-opt/:x?', P['/old-opt/:x? (use, 0.1.7)'], items());
  app._router.use('/', P['/ (use)'], (_err: unknown, req: Req, res: ServerResponse, _next: unknown) => {
    res.statusCode = 500;
    res.end(`failed with baseUrl "${req.baseUrl}"`);
  });
  return instrumentListener(app, monitor, { traceFetch: false });
})();

beforeAll(async () => {
  server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function routeOf(path: string): Promise<[number, unknown, string]> {
  const res = await fetch(base + path);
  await res.text();
  await listener.flush();
  const span = memory.spans.filter((s) => s.attributes['url.path'] === path.split('?')[0]).at(-1)!;
  return [res.status, span.attributes['http.route'], span.name];
}

test('a route in a router mounted at /api is /api/users/:id', async () => {
  expect(await routeOf('/api/users/42?x=1')).toEqual([200, '/api/users/:id', 'GET /api/users/:id']);
});

test('an error handled by the app after leaving the router keeps the mount: /api/fail/:id, not /fail/:id', async () => {
  const res = await fetch(`${base}/api/fail/7`);
  // What Express 4 itself left on the request by then.
  expect([res.status, await res.text()]).toEqual([500, 'failed with baseUrl ""']);
  await listener.flush();
  const span = memory.spans.find((s) => s.attributes['url.path'] === '/api/fail/7')!;
  expect([span.attributes['http.route'], span.attributes['http.response.status_code']]).toEqual(['/api/fail/:id', 500]);
  const point = memory.getMetric('http.server.request.duration')!.points.find((p) => p.attributes['http.response.status_code'] === 500)!;
  expect(point.attributes['http.route']).toBe('/api/fail/:id');
});

test("a router mounted on a pattern with a parameter gives the parameter's name, not its value", async () => {
  expect(await routeOf('/api/v/3/items/9')).toEqual([200, '/api/v/:version/items/:id', 'GET /api/v/:version/items/:id']);
  expect(await routeOf('/api/v/4/items/10')).toEqual([200, '/api/v/:version/items/:id', 'GET /api/v/:version/items/:id']);
});

test("a mount's pattern is the one written, whatever the case of the request (Express 4 matches mounts case-insensitively)", async () => {
  expect(await routeOf('/API/Users/42')).toEqual([200, '/api/users/:id', 'GET /api/users/:id']);
  expect(await routeOf('/A.B-C_D/items/1')).toEqual([200, '/a.b-c_d/items/:id', 'GET /a.b-c_d/items/:id']);
  expect(await routeOf('/opt/o/items/1')).toEqual([200, '/opt/:x?/items/:id', 'GET /opt/:x?/items/:id']);
  // A parameter as path-to-regexp 0.1.12 writes it (Express 4.20 on): `(?:\/([^/]+?))`.
  expect(await routeOf('/API/V/3/Items/9')).toEqual([200, '/api/v/:version/items/:id', 'GET /api/v/:version/items/:id']);
  expect(await routeOf('/OPT/o/items/1')).toEqual([200, '/opt/:x?/items/:id', 'GET /opt/:x?/items/:id']);
  // And as 0.1.7 wrote it (Express 4 up to 4.19): `\/(?:([^\/]+?))`.
  expect(await routeOf('/OLD/3/items/1')).toEqual([200, '/old/:version/items/:id', 'GET /old/:version/items/:id']);
  expect(await routeOf('/Old-Opt/o/items/1')).toEqual([200, '/old-opt/:x?/items/:id', 'GET /old-opt/:x?/items/:id']);
});

test('a mount whose pattern cannot be read back (a custom capture) is taken from what it matched, its parameter named', async () => {
  expect(await routeOf('/n/12/items/3')).toEqual([200, '/n/:num/items/:id', 'GET /n/:num/items/:id']);
});

test("such a mount is lower-cased as Express 4 matched it (case-insensitively): the request's case does not make a new http.route, also after an error left the router", async () => {
  expect(await routeOf('/N/12/Items/3')).toEqual([200, '/n/:num/items/:id', 'GET /n/:num/items/:id']);
  const res = await fetch(`${base}/N/12/fail/3`);
  expect(res.status).toBe(500);
  await listener.flush();
  const span = memory.spans.find((s) => s.attributes['url.path'] === '/N/12/fail/3')!;
  expect([span.attributes['http.route'], span.name]).toEqual(['/n/:num/fail/:id', 'GET /n/:num/fail/:id']);
});
