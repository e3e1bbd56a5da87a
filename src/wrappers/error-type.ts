import type { Span } from '../trace/span.js';
import { failSpan } from '../trace/tracer.js';

/**
 * The `error.type` of a thrown value (OpenTelemetry semantic conventions): the error class
 * name, so the label set stays small whatever the messages say. Never throws, and always a
 * string: a `name` getter that throws made `metered` lose the failure and the duration. A thrown
 * `null` or `undefined` is its type, as the runtime adapters record it (not "Error", which
 * gave one failure two types in one trace).
 */
export function errorType(err: unknown): string {
  try {
    if (err instanceof Error) {
      const name: unknown = err.name;
      if (typeof name === 'string' && name && name !== 'Error') return name;
      const c: unknown = err.constructor?.name;
      return typeof c === 'string' && c ? c : 'Error';
    }
    if (typeof err === 'string' && err.length > 0 && err.length <= 64) return err;
    if (err === null || typeof err !== 'object') return typeof err;
    const c: unknown = (err as object).constructor?.name;
    return typeof c === 'string' && c ? c : 'Error';
  } catch {
    return 'Error';
  }
}

/**
 * The `error.type` of a value a wrapped function threw: a thrown string is a message (often
 * with ids in it), not a type name, so it is "string", as the HTTP adapters record it, and the
 * error counter keeps one series per kind of failure.
 */
export function thrownType(err: unknown): string {
  return typeof err === 'string' ? 'string' : errorType(err);
}

/**
 * Fails the span of a call that threw `err`: the semantic conventions' `error.type` (the value
 * `metered` counts the failure under), the exception event and ERROR status.
 */
export function failCall(span: Span, err: unknown): void {
  try {
    if (span.isRecording()) span.setAttribute('error.type', thrownType(err));
  } catch {
    // an unreadable error still fails the span
  }
  failSpan(span, err);
}
