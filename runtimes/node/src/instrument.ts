/// <reference types="node" />
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EnvRecord } from '../../../src/config/env.js';
import { setContextStorage, contextStorage } from '../../../src/context/active.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import {
  createServerHandler,
  type InstrumentedHandler,
  type ServerHandler,
  type ServerInstrumentationOptions,
} from '../../../src/adapter/process-server.js';
import { clientLeftReasons, type RequestTelemetry } from '../../../src/http/handle-request.js';
import { emitsInRequest, unanswered } from '../../../src/adapter/node-style.js';
import type { NodeRequestInfo } from './node-http.js';

/** Uses Node's AsyncLocalStorage for the active span, once per process. */
export function useAsyncLocalStorage(): void {
  if (contextStorage().kind !== 'async-local-storage') setContextStorage(AsyncLocalStorage);
}

/** A handler for Node: `info` is set when it runs under `toNodeListener`/`serve`. */
export type NodeHandler = (request: Request, info: NodeRequestInfo | undefined, telemetry: RequestTelemetry) => Response | Promise<Response>;

/**
 * Wraps a fetch-style handler with a SERVER span, the HTTP server metrics and logs per
 * request; exports run in the background and are tracked (`handler.flush()`,
 * `handler.shutdown()`, `flushOnExit(handler)`). Mount it with `toNodeListener` or `serve`.
 *
 * @param handler `(request, info?, telemetry) => Response`
 * @param config monitor, options or `(env) => options`; OTEL_* from `process.env` apply
 * @param options HTTP options; `traceFetch` (default true) traces the global `fetch`
 * @example
 * ```ts
 * const handler = instrument((req) => new Response('ok'), { serviceName: 'api' });
 * const res = await handler(new Request('http://localhost/'));
 * ```
 */
export function instrument(
  handler: NodeHandler,
  config: MonitorConfig<EnvRecord> = {},
  options?: ServerInstrumentationOptions,
): InstrumentedHandler<NodeRequestInfo | undefined> {
  // Read where the Node request is: instrument() gets a Web Request already made.
  if (options !== null && typeof options === 'object' && 'trustProxy' in options) {
    throw new TypeError('instrument: `trustProxy` is an option of toNodeListener(handler, { trustProxy }) and serve(handler, config, { trustProxy }), which make the Request from the Node request; move it there.');
  }
  useAsyncLocalStorage();
  const run = typeof handler === 'function' ? markUnanswered(handler) : handler;
  return createServerHandler<NodeRequestInfo | undefined>(run as ServerHandler<NodeRequestInfo | undefined>, config, process.env, options, (_req, info, t) => {
    // client.port is opt-in on HTTP server spans (semantic conventions): not recorded.
    if (info?.remoteAddress) t.span.setAttribute('client.address', info.remoteAddress);
    // The connection's own peer where trusted proxies named another client (HTTP semconv).
    const peer = info?.incoming.socket?.remoteAddress;
    if (peer && peer !== info.remoteAddress) t.span.setAttribute('network.peer.address', peer);
    if (info?.incoming.httpVersion) t.span.setAttribute('network.protocol.version', protocolVersion(info.incoming.httpVersion));
    // The app's listeners on the Node request and response run in the request's context, as
    // instrumentListener's do (this runs in it). Read by shape: another server's info may lack them.
    if (info) {
      emitsInRequest(info.incoming);
      emitsInRequest(info.response);
    }
  });
}

/**
 * `network.protocol.version` from Node's `httpVersion`: HTTP semconv writes HTTP/2 as `2`, where
 * node:http2's compatibility API says `2.0` (`1.0` and `1.1` are as Node gives them).
 */
export function protocolVersion(httpVersion: string): string {
  return httpVersion === '2.0' ? '2' : httpVersion;
}

/**
 * Under toNodeListener, a client that left before the handler answered never got its status: the
 * one it returned, nor the 500 of a handler that failed (or returned no Response): the scope says
 * so (`scope.unanswered`), and handleRequest records no status.
 */
function markUnanswered(handler: NodeHandler): NodeHandler {
  return (req, info, t) => {
    const response = handler(req, info, t);
    if (!info) return response;
    return Promise.resolve(response).then(
      (r) => (left(info, t), r),
      (e: unknown) => {
        left(info, t);
        // Failed reading a body its client abandoned (mid-upload): the client left, recorded as
        // such (connection_closed, no status), not as the app's exception. Nothing is sent.
        if (t.scope.unanswered && clientLeftReasons.has(e as object)) return new Response(null);
        throw e;
      },
    );
  };
}

/** Marks the request of a client that left before any answer. */
function left(info: NodeRequestInfo, t: RequestTelemetry): void {
  // Read by shape: a server that passes something else as the second argument (@hono/node-server
  // gives `{ incoming, outgoing }`) had every request fail with a TypeError here.
  const res = info.response as NodeRequestInfo['response'] | undefined;
  if (res && unanswered(res)) t.scope.unanswered = true;
}
