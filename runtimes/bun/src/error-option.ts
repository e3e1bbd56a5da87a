import type { Span } from '../../../src/trace/span.js';
import { failSpan } from '../../../src/trace/tracer.js';
import type { BunServerLike } from './bun-types.js';
import type { BunRescue } from './request.js';

type ErrorHandler = (this: unknown, error: unknown) => unknown;

/**
 * `serve()`'s handling of Bun's `error` option. Bun calls it once the handler's promise has
 * failed, after the server span has ended, so the span and `http.server.request.duration` would
 * record 500 whatever the client got. Instead the instrumented handlers call it themselves
 * (`rescue`), inside the request's telemetry, with the server as `this` as Bun does: its
 * Response is what the request answers and records, the exception stays on the span. When it
 * has no Response to give (it throws, or returns nothing), the error goes on to Bun as before,
 * and the `error` option handed to Bun (`error`) does not offer it a second time: it rethrows it,
 * which Bun answers as it answers a failed `error` handler (500, the error logged). Errors Bun
 * meets elsewhere reach the app's handler as they always did.
 */
export function bunErrorOption(option: unknown): { rescue?: BunRescue; error?: unknown } {
  if (typeof option !== 'function') return option === undefined ? {} : { error: option };
  const handle = option as ErrorHandler;
  // Errors already offered to the handler, counted: the same value can fail two requests at once.
  const objects = new WeakMap<object, number>();
  const values = new Map<unknown, number>();
  const passOn = (err: unknown): never => {
    if ((typeof err === 'object' && err !== null) || typeof err === 'function') objects.set(err, (objects.get(err) ?? 0) + 1);
    else values.set(err, (values.get(err) ?? 0) + 1);
    throw err;
  };
  const offered = (err: unknown): boolean => {
    const isObject = (typeof err === 'object' && err !== null) || typeof err === 'function';
    const n = isObject ? objects.get(err as object) : values.get(err);
    if (n === undefined) return false;
    if (isObject) n > 1 ? objects.set(err as object, n - 1) : objects.delete(err as object);
    else n > 1 ? values.set(err, n - 1) : values.delete(err);
    return true;
  };

  const rescue: BunRescue = (err, server, t) => {
    const answered = (response: unknown): Response => {
      if (!(response instanceof Response)) return passOn(err);
      // HTTP semconv: a server span whose answer is a 4xx (a not-found error mapped to 404) is
      // left unset, the exception still recorded; a 5xx is an ERROR.
      if (response.status >= 500) failSpan(t.span, err);
      else recordOnly(t.span, err);
      return response;
    };
    const failed = (again: unknown): never => {
      failSpan(t.span, err);
      return passOn(again);
    };
    let response: unknown;
    try {
      response = handle.call(server, err);
    } catch (again) {
      return failed(again);
    }
    if (response !== null && typeof response === 'object' && typeof (response as Promise<unknown>).then === 'function') {
      return (response as Promise<unknown>).then(answered, failed);
    }
    return answered(response);
  };

  const error = function error(this: BunServerLike, err: unknown): unknown {
    if (offered(err)) throw err;
    return handle.call(this, err);
  };
  return { rescue, error };
}

function recordOnly(span: Span, err: unknown): void {
  try {
    span.recordException(err);
  } catch {
    // never let telemetry replace the answer
  }
}
