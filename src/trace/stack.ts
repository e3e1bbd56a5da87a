import type { Redactor } from '../attributes/redact.js';
import { describe } from '../attributes/sanitize.js';

/** Causes written after an error's stack; deeper ones are left out. */
const MAX_CAUSES = 8;

/**
 * `exception.stacktrace` of an error: its stack, then each `cause` as `Caused by: <its stack>`,
 * as Node, Deno and Java print a chained error (semconv: the runtime's natural representation);
 * a cause that is not an Error as its text, redacted as a logged object is (its secret keys).
 * At most MAX_CAUSES causes; one met again (a cycle) ends the chain, as does one that throws when
 * read. Undefined when the error has no stack.
 */
export function stackTrace(e: Error, redactor?: Redactor): string | undefined {
  const stack = e.stack;
  if (typeof stack !== 'string') return undefined;
  let text = stack;
  // Made for the first cause only: an error without one allocates nothing here.
  let seen: unknown[] | undefined;
  try {
    for (let c: unknown = e; c instanceof Error; ) {
      c = (c as { cause?: unknown }).cause;
      if (c === undefined || c === null || (seen ??= [e]).length > MAX_CAUSES || seen.includes(c)) break;
      seen.push(c);
      text += `\nCaused by: ${c instanceof Error && typeof c.stack === 'string' ? c.stack : describe(c, redactor)}`;
    }
  } catch {
    // a cause that throws when read ends the chain
  }
  return text;
}
