import type { ServerHandler } from '../../../src/adapter/process-server.js';
import type { RequestTelemetry } from '../../../src/http/handle-request.js';
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

/** Sets Bun's client address on the server span; best effort. */
function decorate(request: Request, server: BunServerLike | undefined, t: RequestTelemetry): void {
  try {
    const ip = server?.requestIP?.(request);
    if (ip) {
      t.span.setAttribute('client.address', ip.address);
      t.span.setAttribute('client.port', ip.port);
    }
  } catch {
    // attributes are best effort
  }
}

/**
 * Runs a Bun handler inside the request's telemetry: client address on the span, and a WebSocket
 * upgrade (the handler returned nothing for an upgrade request) recorded as status 101 instead
 * of a handler error.
 */
export function runBunHandler(
  handler: ServerHandler<BunServerLike>,
  request: Request,
  server: BunServerLike,
  t: RequestTelemetry,
): Response | Promise<Response> {
  decorate(request, server, t);
  const result = handler(request, server, t) as Response | Promise<Response> | undefined;
  if (result === undefined) return asksForUpgrade(request) ? upgraded : (result as unknown as Response);
  if (typeof (result as Promise<Response>).then === 'function') {
    return (result as Promise<Response | undefined>).then((r) => (r === undefined && asksForUpgrade(request) ? upgraded : (r as Response)));
  }
  return result;
}

/** Bun expects `undefined` back after an upgrade. */
export function toBunResult(response: Response): Response | undefined {
  return response === upgraded ? undefined : response;
}
