import type { RequestTelemetry } from '../../../src/http/handle-request.js';
import { failSpan } from '../../../src/trace/tracer.js';
import type { DenoHandler } from './instrument.js';

type ErrorHandler = (error: unknown) => unknown;

/**
 * `serve()`'s handling of Deno.serve's `onError` option. Deno calls it once the handler has
 * failed, after the server span has ended, so the span and `http.server.request.duration`
 * recorded 500 whatever the client got (a 503 maintenance page, a 404 for a not-found error).
 * Instead the handler given to `instrument()` calls it itself, inside the request's telemetry:
 * its Response is what the request answers and records, the exception stays on the span. When it
 * has no Response to give (it throws, or returns none), the error goes on to Deno, and the
 * `onError` handed to Deno does not offer it a second time: it rethrows it, which Deno answers as
 * it answers a failed `onError` (500, the error printed).
 *
 * @returns the handler to instrument, and the `onError` to give Deno.serve
 */
export function withDenoOnError(handler: DenoHandler, option: unknown): { handler: DenoHandler; onError?: unknown } {
  // A handler that is no function is left for instrument() to refuse, by name.
  if (typeof option !== 'function' || typeof handler !== 'function') return option === undefined ? { handler } : { handler, onError: option };
  const handle = option as ErrorHandler;
  // Errors already offered to onError, counted: the same value can fail two requests at once
  // (objects weakly, so an error Deno never hands back is not kept).
  const objects = new WeakMap<object, number>();
  const values = new Map<unknown, number>();
  const isObject = (err: unknown): err is object => (typeof err === 'object' && err !== null) || typeof err === 'function';
  const passOn = (err: unknown): never => {
    if (isObject(err)) objects.set(err, (objects.get(err) ?? 0) + 1);
    else values.set(err, (values.get(err) ?? 0) + 1);
    throw err;
  };
  const rescue = (err: unknown, t: RequestTelemetry): Response | Promise<Response> => {
    const answered = (response: unknown): Response => {
      if (!(response instanceof Response)) return passOn(err);
      // HTTP semconv: a server span whose answer is a 4xx (a not-found error mapped to 404) is
      // left unset, the exception still recorded; a 5xx is an ERROR.
      if (response.status >= 500) failSpan(t.span, err);
      else recordOnly(t, err);
      return response;
    };
    const failed = (again: unknown): never => {
      failSpan(t.span, err);
      return passOn(again);
    };
    let response: unknown;
    try {
      response = handle(err);
    } catch (again) {
      return failed(again);
    }
    if (response !== null && typeof response === 'object' && typeof (response as Promise<unknown>).then === 'function') {
      return (response as Promise<unknown>).then(answered, failed);
    }
    return answered(response);
  };
  const rescued: DenoHandler = (request, info, t) => {
    let result: Response | Promise<Response>;
    try {
      result = handler(request, info, t);
    } catch (err) {
      return rescue(err, t);
    }
    return result !== null && typeof result === 'object' && typeof (result as Promise<Response>).then === 'function'
      ? (result as Promise<Response>).then(undefined, (err: unknown) => rescue(err, t))
      : result;
  };
  const onError = (err: unknown): unknown => {
    const n = isObject(err) ? objects.get(err) : values.get(err);
    if (n === undefined) return handle(err);
    if (isObject(err)) n > 1 ? objects.set(err, n - 1) : objects.delete(err);
    else n > 1 ? values.set(err, n - 1) : values.delete(err);
    throw err;
  };
  return { handler: rescued, onError };
}

function recordOnly(t: RequestTelemetry, err: unknown): void {
  try {
    t.span.recordException(err);
  } catch {
    // never let telemetry replace the answer
  }
}
