import type { ServerHandler } from '../../../src/adapter/process-server.js';
import type { RequestTelemetry } from '../../../src/http/handle-request.js';
import { forwardedClient } from '../../../src/http/trust-proxy.js';
import type { BunServerLike } from './bun-types.js';

/**
 * What a Bun handler returns after `server.upgrade(request)` succeeded: nothing. The shared
 * HTTP instrumentation needs a response to end the server span, so an upgrade is reported to it
 * as this stand-in (status 101, no body) and turned back into `undefined` for Bun.
 */
const upgraded = Object.freeze({ status: 101, statusText: 'Switching Protocols', headers: new Headers(), body: null }) as unknown as Response;

/** True when the request asked for a WebSocket (the only upgrade Bun performs). */
function asksForUpgrade(request: Request): boolean {
  return request.headers.get('upgrade')?.toLowerCase() === 'websocket';
}

/** Requests a watched `server.upgrade()` upgraded (see watchUpgrades). */
const upgradedRequests = new WeakSet<Request>();
/** Servers whose `upgrade()` is watched. */
const watchedServers = new WeakSet<object>();
/** The server watched last: a request to it costs one comparison. */
let lastServer: unknown;
/** Set by the first upgrade seen: until then no returned Response is looked up. */
let anyUpgraded = false;

/**
 * Wraps `server.upgrade` (on the server itself: Bun's methods refuse any other `this`) so that
 * whether it upgraded a request is known. The request asking for a WebSocket did not say so: an
 * `upgrade()` that failed (no valid handshake) was recorded as a 101 the client never got, and
 * the Response a handler returns after an upgrade that succeeded (Hono's `upgradeWebSocket`
 * returns `new Response(null)`; Bun ignores it and sends the 101) as a 200.
 */
function watchUpgrades(server: BunServerLike): void {
  lastServer = server;
  const upgrade = server?.upgrade;
  if (typeof upgrade !== 'function' || watchedServers.has(server)) return;
  try {
    server.upgrade = function (this: unknown, request: Request, ...rest: unknown[]): boolean {
      const done = upgrade.call(this, request, ...rest);
      if (done === true) {
        anyUpgraded = true;
        upgradedRequests.add(request);
      }
      return done;
    };
    watchedServers.add(server);
  } catch {
    // a frozen server: an upgrade is known only by what the request asked for
  }
}

/** Whether a handler that returned nothing upgraded the request (else handleRequest records the 500 sent). */
function upgradedBy(request: Request, server: BunServerLike): boolean {
  return watchedServers.has(server) ? upgradedRequests.has(request) : asksForUpgrade(request);
}

/** Sets Bun's client address (or the one trusted proxies named, `view`'s) on the server span; best effort. */
function decorate(request: Request, server: BunServerLike | undefined, t: RequestTelemetry, view: Request | undefined): void {
  try {
    const client = view === undefined ? undefined : forwardedClient(view);
    // client.port is opt-in on HTTP server spans (semantic conventions): not recorded.
    const peer = server?.requestIP?.(request)?.address;
    const address = client ?? peer;
    if (address) t.span.setAttribute('client.address', address);
    // The connection's own peer where trusted proxies named another client (HTTP semconv).
    if (peer && peer !== address) t.span.setAttribute('network.peer.address', peer);
  } catch {
    // attributes are best effort
  }
}

/**
 * Answers an error the handler threw with the `error` option of `serve()`, inside the request's
 * telemetry, so that the span and the metrics get the status the client gets.
 */
export type BunRescue = (error: unknown, server: BunServerLike, telemetry: RequestTelemetry) => Response | Promise<Response>;

/**
 * Marks the request of a client that left before the handler (or the `error` option) answered:
 * the status it returned never reached the client, so handleRequest records none, with
 * `error.type` `connection_closed` (`scope.unanswered`, as the Node adapters set it). Bun aborts
 * `request.signal` when the connection closes, without a warning, and reports a signal first
 * read after that as aborted: it is read once, when the handler settles, and only for a handler
 * that returned a promise (a synchronous one leaves Bun no turn to see the client go).
 */
function markLeft(request: Request, t: RequestTelemetry): void {
  try {
    if (request.signal.aborted) t.scope.unanswered = true;
  } catch {
    // a request without a usable signal: recorded with the status returned, as before
  }
}

/** The `error` option's answer, the client's leaving read once it is there (a promise of it settled). */
function rescued(rescue: BunRescue, err: unknown, server: BunServerLike, t: RequestTelemetry, request: Request): Response | Promise<Response> {
  let answer: Response | Promise<Response>;
  try {
    answer = rescue(err, server, t);
  } catch (failed) {
    markLeft(request, t);
    throw failed;
  }
  if (answer === null || typeof (answer as Promise<Response>)?.then !== 'function') {
    markLeft(request, t);
    return answer;
  }
  return (answer as Promise<Response>).finally(() => markLeft(request, t));
}

/**
 * Runs a Bun handler inside the request's telemetry: client address on the span, a WebSocket
 * upgrade (`server.upgrade(request)` returned true; Bun ignores what the handler returns then)
 * recorded as status 101, and a client that left before the answer recorded as Node records it (no
 * status, `connection_closed`). The handler is called with `self` as `this`, the server where
 * Bun calls it, as Bun itself does (`this.upgrade(req)`). `view` is the telemetry's view of the
 * request (`trustProxy`), whose client is recorded in place of Bun's peer.
 */
export function runBunHandler(
  handler: ServerHandler<BunServerLike>,
  request: Request,
  server: BunServerLike,
  t: RequestTelemetry,
  self: unknown = server,
  rescue?: BunRescue,
  view?: Request,
): Response | Promise<Response> {
  decorate(request, server, t, view);
  if (server !== lastServer) watchUpgrades(server);
  let result: Response | Promise<Response> | undefined;
  try {
    result = handler.call(self, request, server, t) as Response | Promise<Response> | undefined;
  } catch (err) {
    if (rescue === undefined) throw err;
    return rescued(rescue, err, server, t, request);
  }
  if (result === undefined) return upgradedBy(request, server) ? upgraded : (result as unknown as Response);
  // null or any other value that is no Response goes on to handleRequest, which records the 500.
  if (result !== null && typeof (result as Promise<Response>).then === 'function') {
    // One reaction, as before: the client's leaving is read in it, on either outcome.
    return (result as Promise<Response | undefined>).then(
      (r) => {
        if (r === undefined ? upgradedBy(request, server) : anyUpgraded && upgradedRequests.has(request)) return upgraded;
        markLeft(request, t);
        return r as Response;
      },
      (err: unknown) => {
        if (rescue !== undefined) return rescued(rescue, err, server, t, request);
        markLeft(request, t);
        throw err;
      },
    );
  }
  // A Response after an upgrade that succeeded: Bun sent the 101.
  return anyUpgraded && upgradedRequests.has(request) ? upgraded : result;
}

/**
 * Bun expects `undefined` back after an upgrade. Anything else that is no Response (the handler
 * returned nothing, a string, null) was recorded as 500 by the span; Bun itself would answer it
 * with an empty 204 (a welcome page outside production), so the client gets the plain 500 the
 * span recorded, and the error is printed, as Node's and Deno's adapters do.
 */
export function toBunResult(response: Response): Response | undefined {
  if (response === upgraded) return undefined;
  if (response instanceof Response || (response !== null && typeof response === 'object' && typeof (response as Response).status === 'number')) return response;
  console.error(new TypeError(`the handler returned ${response == null ? String(response) : `a value of type ${typeof response}`}, not a Response`));
  return new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
