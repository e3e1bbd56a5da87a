import type { Span } from '../trace/span.js';
import { failSpan } from '../trace/tracer.js';

/**
 * The `error.type` of a thrown value (OpenTelemetry semantic conventions): the error class
 * name, so the label set stays small whatever the messages say.
 */
export function errorType(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? err.name : err.constructor?.name || 'Error';
  if (typeof err === 'string' && err.length > 0 && err.length <= 64) return err;
  return err === null || err === undefined ? 'Error' : typeof err === 'object' ? (err as object).constructor?.name || 'Error' : typeof err;
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
