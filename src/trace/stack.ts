import type { Redactor } from '../attributes/redact.js';
import { describe } from '../attributes/sanitize.js';

/** Causes written after an error's stack; deeper ones are left out. */
const MAX_CAUSES = 8;
const NONE: unknown[] = [];

/**
 * `exception.stacktrace` of an error: its stack, then each `cause` as `Caused by: <its stack>`,
 * as Deno and Java print a chained error (Node as `[cause]`; semconv: the runtime's natural representation),
 * and each of an AggregateError's `errors` as `Aggregated: <its stack>` (Node's `[errors]`);
 * one that is not an Error as its text, redacted as a logged object is (its secret keys).
 * At most MAX_CAUSES of them, in the order met; one met again (a cycle) is left out, and one
 * that throws when read ends the text. Undefined when the error has no stack. A cause that is not
 * an Error is written up to `max` characters (the caller's cut), so a large payload is not walked whole.
 */
export function stackTrace(e: Error, redactor?: Redactor, max?: number): string | undefined {
  const stack = e.stack;
  if (typeof stack !== 'string') return undefined;
  let text = stack;
  // Made for the first cause only: an error without one allocates nothing here. It is also the
  // list still to walk: each error met gives its cause, then its errors.
  let seen: unknown[] | undefined;
  try {
    for (let i = 0, c: unknown = e; c !== undefined; c = seen?.[++i]) {
      if (!(c instanceof Error)) continue;
      const errors = c instanceof AggregateError ? c.errors : NONE;
      for (let j = -1, next: unknown = c.cause; j < errors.length; next = errors[++j]) {
        if (next == null || (seen ??= [e]).includes(next)) continue;
        if (seen.length > MAX_CAUSES) return text;
        seen.push(next);
        text += `\n${j < 0 ? 'Caused by' : 'Aggregated'}: ${next instanceof Error && typeof next.stack === 'string' ? next.stack : describe(next, redactor, max)}`;
      }
    }
  } catch {
    // a cause that throws when read ends the text
  }
  return text;
}
