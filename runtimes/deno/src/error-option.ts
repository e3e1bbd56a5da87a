import { errorOption } from '../../../src/adapter/error-option.js';
import type { DenoHandler } from './instrument.js';

/**
 * `serve()`'s handling of Deno.serve's `onError` option (see src/adapter/error-option.ts). Deno
 * calls it once the handler has failed, after the server span has ended, so the span and
 * `http.server.request.duration` recorded 500 whatever the client got (a 503 maintenance page, a
 * 404 for a not-found error). Instead the handler given to `instrument()` calls it itself, inside
 * the request's telemetry. When it has no Response to give (it throws, or returns none), the
 * error goes on to Deno, and the `onError` handed to Deno does not offer it a second time: it
 * rethrows it, which Deno answers as it answers a failed `onError` (500, the error printed).
 *
 * @returns the handler to instrument, and the `onError` to give Deno.serve
 */
export function withDenoOnError(handler: DenoHandler, option: unknown): { handler: DenoHandler; onError?: unknown } {
  // A handler that is no function is left for instrument() to refuse, by name.
  if (typeof option !== 'function' || typeof handler !== 'function') return option === undefined ? { handler } : { handler, onError: option };
  const { rescue, runtimeOption } = errorOption(option as (this: unknown, error: unknown) => unknown);
  const rescued: DenoHandler = (request, info, t) => {
    let result: Response | Promise<Response>;
    try {
      result = handler(request, info, t);
    } catch (err) {
      return rescue(err, t.span);
    }
    return result !== null && typeof result === 'object' && typeof (result as Promise<Response>).then === 'function'
      ? (result as Promise<Response>).then(undefined, (err: unknown) => rescue(err, t.span))
      : result;
  };
  return { handler: rescued, onError: runtimeOption };
}
