import type { Context } from 'hono';
import { runtimeAttributes } from '../../runtime.js';
import type { Span } from '../../trace/span.js';

/**
 * A reader of `client.address` for the middleware used alone (no adapter, whose own span has it):
 * from what the server gave Hono as `c.env`, read by shape, as Hono's `getConnInfo` helpers read it
 * (without importing them, one per runtime): @hono/node-server's `incoming` socket, `deno serve`'s
 * `remoteAddr`, Bun's `server.requestIP()`; on Workers, the `CF-Connecting-IP` Cloudflare sets
 * (elsewhere any client could send that header). Chosen once, by the runtime.
 */
export function clientAddressReader(): (c: Context, span: Span) => void {
  const runtime = runtimeAttributes()['process.runtime.name'];
  const workerd = runtime === undefined && (globalThis as { WebSocketPair?: unknown }).WebSocketPair !== undefined;
  const read = (c: Context): unknown => {
    const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } }; remoteAddr?: { hostname?: unknown }; requestIP?(r: Request): { address?: unknown } | null } | undefined;
    if (runtime === 'nodejs') return env?.incoming?.socket?.remoteAddress;
    if (runtime === 'deno') return env?.remoteAddr?.hostname;
    if (runtime === 'bun') return typeof env?.requestIP === 'function' ? env.requestIP(c.req.raw)?.address : undefined;
    return workerd ? c.req.raw.headers.get('cf-connecting-ip') : undefined;
  };
  return (c, span) => {
    // An unsampled request's span keeps nothing: nothing read for it.
    if (!span.isRecording()) return;
    try {
      const address = read(c);
      if (typeof address === 'string' && address) span.setAttribute('client.address', address);
    } catch {
      // attributes are best effort (an env whose getters throw)
    }
  };
}
