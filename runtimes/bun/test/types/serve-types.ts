/**
 * Compiled by `npm run typecheck` with `@types/bun` (tsconfig.json here), never run: handlers
 * written for `serve()` and `instrument()` type-check as they do against plain `Bun.serve`.
 * runtimes/bun/tsconfig.json compiles the adapter without `@types/bun`, where the same names
 * fall back to the library's minimal shapes.
 */
import { instrument, serve, type BunServer } from '../../index.js';

const server = serve(
  function (req) {
    const path = new URL(req.url).pathname;
    // `this` is Bun's Server, as with Bun.serve: methods Bun always has are not optional.
    if (path === '/ip') return Response.json(this.requestIP(req));
    if (path === '/ws') return this.upgrade(req) ? undefined : new Response('no upgrade', { status: 400 });
    return new Response('not found', { status: 404 });
  },
  { serviceName: 'api' },
  {
    port: 3000,
    routes: {
      '/users/:id': (req) => Response.json({ id: req.params.id }),
      '/static': new Response('static'),
      '/m': { GET: () => new Response('get'), POST: function (req, srv) { return new Response(`${typeof this.upgrade} ${srv.port} ${req.params.x}`); } },
    },
    // Bun's own options keep Bun's parameter types (no implicit any under `strict`).
    websocket: { message(ws, message) { ws.send(`echo ${String(message)}`); } },
    error(err) { return err.message === 'maintenance' ? new Response('maintenance', { status: 503 }) : undefined; },
    instrumentation: { flushOnExit: { timeoutMs: 2000 } },
  },
);
// The server is Bun's: its whole API, not only what the library uses.
server.publish('topic', 'hi');
const pending: number = server.pendingRequests;

const handler = instrument(function (req, srv) {
  return this.upgrade(req) ? undefined : new Response(`${srv.hostname} ${pending}`);
}, { serviceName: 'api' });
const fetchOnly: BunServer = Bun.serve({ fetch: handler });
void fetchOnly;

serve(() => new Response('x'), {}, {
  // @ts-expect-error Bun's option types apply: `port` is a number or a string.
  port: { n: 1 },
});

// The configuration and Bun's options may be left out, as in the README's shortest form.
serve(() => new Response('x'));
serve(() => new Response('x'), { serviceName: 'api' }, { port: 3000, hostname: '127.0.0.1', development: false });

// trustProxy: under `instrumentation` for serve(), in instrument()'s options; its values are typed.
serve(() => new Response('x'), {}, { instrumentation: { trustProxy: 1 } });
instrument(() => new Response('x'), {}, { trustProxy: (address: string, hop: number) => hop === 0 && address === '10.0.0.1' });
// @ts-expect-error a string is no trustProxy value.
instrument(() => new Response('x'), {}, { trustProxy: '1' });
