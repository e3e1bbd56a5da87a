import type { Span } from '../trace/span.js';
import { failSpan } from '../trace/tracer.js';

type ErrorHandler = (this: unknown, error: unknown) => unknown;

/** A server's own error option (Bun's `error`, Deno's `onError`), run inside the request's telemetry. */
export interface ErrorOption {
  /**
   * Answers `err`, thrown by the handler of the request whose server span is `span`, with the
   * option called as the runtime calls it (`self` as `this`): its Response is what the request
   * answers and records, the exception on the span (ERROR for a 5xx; a 4xx, a not-found error
   * mapped to 404, leaves the span unset, as HTTP semconv asks of a server). When it has no
   * Response to give (it throws, or returns none), the error goes on to the runtime, rethrown.
   */
  rescue(err: unknown, span: Span, self?: unknown): Response | Promise<Response>;
  /**
   * The option as handed to the runtime: an error `rescue` already offered is rethrown rather than
   * offered twice, which the runtime answers as a failed option (500, the error printed); errors
   * the runtime meets elsewhere reach the app's option as they always did.
   */
  runtimeOption: (this: unknown, err: unknown) => unknown;
}

/**
 * The runtime calls its error option once the handler has failed, after the server span has
 * ended, so the span and `http.server.request.duration` would record 500 whatever the client got
 * (a 503 maintenance page). The instrumented handler calls it itself instead (`rescue`).
 */
export function errorOption(handle: ErrorHandler): ErrorOption {
  // Errors already offered, counted: the same value can fail two requests at once (objects
  // weakly, so an error the runtime never hands back is not kept).
  const objects = new WeakMap<object, number>();
  const values = new Map<unknown, number>();
  const isObject = (err: unknown): err is object => (typeof err === 'object' && err !== null) || typeof err === 'function';
  const passOn = (err: unknown): never => {
    if (isObject(err)) objects.set(err, (objects.get(err) ?? 0) + 1);
    else values.set(err, (values.get(err) ?? 0) + 1);
    throw err;
  };
  const offered = (err: unknown): boolean => {
    const n = isObject(err) ? objects.get(err) : values.get(err);
    if (n === undefined) return false;
    if (isObject(err)) n > 1 ? objects.set(err, n - 1) : objects.delete(err);
    else n > 1 ? values.set(err, n - 1) : values.delete(err);
    return true;
  };
  const rescue = (err: unknown, span: Span, self?: unknown): Response | Promise<Response> => {
    const answered = (response: unknown): Response => {
      if (!(response instanceof Response)) return passOn(err);
      if (response.status >= 500) failSpan(span, err);
      else recordOnly(span, err);
      return response;
    };
    const failed = (again: unknown): never => {
      failSpan(span, err);
      return passOn(again);
    };
    let response: unknown;
    try {
      response = handle.call(self, err);
    } catch (again) {
      return failed(again);
    }
    if (response !== null && typeof response === 'object' && typeof (response as Promise<unknown>).then === 'function') {
      return (response as Promise<unknown>).then(answered, failed);
    }
    return answered(response);
  };
  const runtimeOption = function (this: unknown, err: unknown): unknown {
    if (offered(err)) throw err;
    return handle.call(this, err);
  };
  return { rescue, runtimeOption };
}

function recordOnly(span: Span, err: unknown): void {
  try {
    span.recordException(err);
  } catch {
    // never let telemetry replace the answer
  }
}
