/**
 * What a user's callback returned, when it is a promise: its rejection is handled (handed to
 * `onRejected`, or dropped when there is no one left to tell). An `async` diagnostics hook,
 * hook listener or error handler that fails would otherwise be an unhandled rejection, which
 * ends a Node process and is logged as an uncaught error on Workers, Deno and Bun: a sync one
 * that throws is caught where it is called, and an async one must not break the host either.
 */
export function settleQuietly(result: unknown, onRejected?: (err: unknown) => void): void {
  try {
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (err: unknown) => {
        try {
          onRejected?.(err);
        } catch {
          // nothing left to tell
        }
      });
    }
  } catch {
    // a `then` getter that throws: nothing to follow
  }
}
