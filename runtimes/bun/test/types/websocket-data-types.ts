/**
 * Compiled by `npm run typecheck` with `@types/bun`, never run: typed WebSocket data, as Bun's
 * own `Bun.serve` takes it (its type from `websocket.data`, the data `server.upgrade()` is given
 * checked against it, `ws.data` of that type), type-checks through `serve()`.
 */
import { Hono } from 'hono';
import { upgradeWebSocket, websocket } from 'hono/bun';
import { instrument, serve, type BunServer } from '../../index.js';

type Data = { user: string };

const server = serve(
  (req, srv) => {
    if (srv.upgrade(req, { data: { user: 'u1' } })) return;
    return new Response('not found', { status: 404 });
  },
  { serviceName: 'api' },
  {
    port: 3000,
    routes: {
      '/ws': (req, srv) => (srv.upgrade(req, { data: { user: req.params.x ?? 'u2' } }) ? undefined : new Response('upgrade failed', { status: 400 })),
      '/users/:id': { GET: (req) => Response.json({ id: req.params.id }) },
    },
    websocket: {
      data: {} as Data,
      open(ws) {
        ws.send(`hello ${ws.data.user}`);
      },
      message(ws, message) {
        ws.send(message);
      },
    },
    instrumentation: { waitForBody: true },
  },
);
server.publish('room', 'x');
const typed: BunServer<Data> = server;
void typed;

serve(
  function (req) {
    // `this` is the server of the same data, as Bun gives it.
    return this.upgrade(req, { data: { user: 'u3' } }) ? undefined : new Response('no', { status: 400 });
  },
  {},
  { websocket: { data: {} as Data, message(ws) { ws.send(ws.data.user); } } },
);

serve(
  // @ts-expect-error data of another type than `websocket.data`'s is refused, as Bun.serve refuses it.
  (req, srv) => (srv.upgrade(req, { data: { user: 1 } }) ? undefined : new Response('no')),
  {},
  { websocket: { data: {} as Data, message() {} } },
);

// Without `websocket.data`, as with Bun.serve, the data is undefined: no `data` to give.
serve((req, srv) => (srv.upgrade(req) ? undefined : new Response('no')), {}, { websocket: { message() {} } });

// instrument() for a plain Bun.serve: the data is the one Bun.serve's `websocket.data` gives.
Bun.serve({
  fetch: instrument((req, srv) => (srv.upgrade(req, { data: { user: 'u4' } }) ? undefined : new Response('no', { status: 400 })), {}),
  websocket: { data: {} as Data, message(ws) { ws.send(ws.data.user); } },
});
const explicit = instrument<Data>(function (req) {
  return this.upgrade(req, { data: { user: 'u5' } }) ? undefined : new Response('no', { status: 400 });
});
Bun.serve({ fetch: explicit, websocket: { data: {} as Data, message(ws) { ws.send(ws.data.user); } } });

// Hono on Bun: the server handed on as Hono's env, where `upgradeWebSocket` from `hono/bun` finds it.
const app = new Hono();
app.get('/ws', upgradeWebSocket(() => ({ onMessage: (e, ws) => ws.send(String(e.data)) })));
serve((req, server) => app.fetch(req, server), { serviceName: 'api' }, { port: 3000, websocket });
