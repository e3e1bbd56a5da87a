/**
 * Holding an invocation's export until the work its handler hands to `ctx.waitUntil` has settled:
 * Workers' `instrument()` and the Hono middleware on any runtime whose Hono has an execution
 * context (`c.executionCtx`).
 */

/** What holds a `waitUntil`: Workers' `ctx`, Hono's `c.executionCtx`. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** `live`, on the monitor's own: the `waitUntil` to put back when an invocation's hold ends. */
type WaitUntil = ((promise: Promise<unknown>) => void) & { live?: () => WaitUntil };

/**
 * How long an invocation's export waits, by default, for the work its handler handed to
 * `ctx.waitUntil`: well inside the 30 s Workers give that work after the response, so that the
 * export (bounded by the backends' own timeouts) still fits.
 */
export const WAIT_UNTIL_TIMEOUT_MS = 10_000;

/**
 * Lets the invocation's export wait for the work its handler hands to `ctx.waitUntil` itself
 * (`ctx.waitUntil(logAnalytics())`): the spans and logs recorded there then leave with the
 * invocation, not with the isolate's next export (lost if the isolate is evicted first).
 *
 * `ctx` gets a `waitUntil` of its own: it passes each promise to `wait` (the runtime's) as it
 * is, so a rejection stays the app's, and remembers it. An own property, not a Proxy or a
 * forwarding object: the handler keeps the very `ctx` the runtime gave, whose members
 * (`props`, `exports`, `passThroughOnException`, what comes next) workerd only runs with their
 * own `this`, and `getRequestTelemetry(ctx)` finds it. In workerd putting it on and back costs
 * about 20 ns per invocation; a list, and a timer (about 1.5 µs), only when the
 * handler calls it.
 *
 * Returns what the invocation calls when its handler is done, for what its export waits for:
 * `undefined` when nothing was handed over (the export goes at once, as it always did), else a
 * promise that resolves once every remembered promise has settled, those handed over meanwhile
 * included, or after `timeoutMs`; whatever ends later leaves with a later export. Then `ctx`
 * gets the runtime's `waitUntil` back. Returns `undefined` when `ctx` takes no property (frozen),
 * has no `waitUntil`, or `timeoutMs` is 0: `ctx` is left as it is.
 */
export function holdWaitUntil(ctx: WaitUntilContext, wait: WaitUntil, timeoutMs: number): (() => Promise<void> | undefined) | undefined {
  // A ctx without a waitUntil of its own (a hand-made test's `{}`) is left without one: given one
  // that calls nothing, the handler's `ctx.waitUntil?.(p)` threw instead of being skipped.
  if (!(timeoutMs > 0) || typeof wait !== 'function') return undefined;
  let held: Promise<unknown>[] | undefined;
  let open = true;
  const waitUntil: WaitUntil = (p) => {
    wait.call(ctx, p);
    if (open) (held ??= []).push(p);
  };
  // This one while its invocation holds, else what it forwards to: invocations that overlap on
  // one `ctx` (a test's reused one) chain, and the older may end first.
  waitUntil.live = () => (open ? waitUntil : (wait?.live?.() ?? wait));
  try {
    ctx.waitUntil = waitUntil;
  } catch {
    return undefined;
  }
  // `end` is made only when something was handed over (rarely): a closure per request otherwise.
  return () => {
    if (held) {
      return settled(held, timeoutMs).then(() => {
        open = false;
        end(ctx, waitUntil);
      });
    }
    open = false;
    end(ctx, waitUntil);
  };
}

/**
 * An invocation's hold ended (its forwarder's `live()` now says where it forwards to): `ctx`'s
 * `waitUntil` is taken off, so that a `ctx` used for many invocations (a test's) does not chain
 * one forwarder per invocation: the one it forwards to is put back (workerd's own, a stub's, or
 * one still holding). Assigned, not deleted: a delete turns `ctx` into a dictionary in V8, 0.2 µs
 * a request in workerd; workerd's `waitUntil` stays an own property, called with `ctx` as before.
 */
function end(ctx: WaitUntilContext, waitUntil: WaitUntil): undefined {
  if (ctx.waitUntil === waitUntil) ctx.waitUntil = waitUntil.live!();
  return undefined;
}

/**
 * Resolves once every promise in `list` has settled, those pushed meanwhile included, or after
 * `timeoutMs`; whatever ends later leaves with a later export.
 */
export function settled(list: Promise<unknown>[], timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout>;
  return new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    let seen = 0;
    // Each round waits for what was handed over until then (`seen` moves to the end of the
    // list as the round starts); the work may hand over more meanwhile. Each is taken through
    // a new promise: allSettled itself rejects on a promise whose `constructor` getter throws.
    const next = (): unknown => (seen < list.length ? Promise.allSettled(list.slice(seen, (seen = list.length)).map((p) => new Promise((r) => r(p)))).then(next) : resolve());
    next();
  }).then(() => clearTimeout(timer));
}

/**
 * An invocation's two uses of `ctx.waitUntil`: where its export goes, the runtime's own (read
 * before holdWaitUntil puts the handler's on, or the export would wait for itself), and what the
 * export waits for (holdWaitUntil; `timeoutMs` 0: nothing). No `ctx` (a test calling
 * `fetch(request, env)`): served, its export handed nowhere.
 */
export function exportAndHold(ctx: WaitUntilContext, timeoutMs: number): [(promise: Promise<unknown>) => void, (() => Promise<void> | undefined) | undefined] {
  const wait = ctx?.waitUntil;
  return [(p) => wait.call(ctx, p), holdWaitUntil(ctx, wait, timeoutMs)];
}

