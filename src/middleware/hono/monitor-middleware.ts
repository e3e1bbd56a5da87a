import type { Context, MiddlewareHandler } from 'hono';
import { ADAPTER_BATCH_WINDOW_MS, checkConfigNow, monitorFromConfig, type MonitorConfig } from '../../adapter/monitor-from-config.js';
import type { EnvRecord } from '../../config/env.js';
import { checkHttpOptions } from '../../config/option-keys.js';
import { getActiveScope, runInSpan } from '../../context/active.js';
import { hostEnv } from './host-env.js';
import { clientAddressReader } from './client-address.js';
import { handleRequest, ignoredScopes, whenAnswered, type HttpInstrumentationOptions } from '../../http/handle-request.js';
import { normalizeMethod, serverSpanName } from '../../http/request-attributes.js';
import { Monitor } from '../../monitor.js';
import type { Scope } from '../../scope/scope.js';
import { exportAndHold, WAIT_UNTIL_TIMEOUT_MS } from '../../scope/hold-wait-until.js';
import type { Span } from '../../trace/span.js';
import { failSpan } from '../../trace/tracer.js';
import { now } from '../../time.js';

/**
 * HTTP options of the middleware. `waitForBody` defaults to false, as in every adapter: the
 * span ends when the handler returns and `c.res` is left as it is. `route` names only a request
 * no Hono route matched (a 404, a catch-all middleware): Hono's matched route names the rest.
 */
export interface HonoMonitorOptions extends HttpInstrumentationOptions {}

/** `route` too: handleRequest reads it; it names a request no Hono route matched (a 404). */
const MIDDLEWARE_OPTION_KEYS: Record<keyof HttpInstrumentationOptions, 0> = { route: 0, trustIncomingTrace: 0, captureHeaders: 0, waitForBody: 0, ignoreRequest: 0 };

type WaitUntil = (promise: Promise<unknown>) => void;

/** A monitor the middleware builds from options batches requests as `instrument()` does. */
const MIDDLEWARE_DEFAULTS = { batchWindowMs: ADAPTER_BATCH_WINDOW_MS } as const;

/** Where the middleware leaves its monitor in the context (`c.get(MONITOR_KEY)`). */
export const MONITOR_KEY = '@lexigram/monitor';

// Without it `c.get(MONITOR_KEY)` does not typecheck in a handler (the key is not the app's
// Variables); Hono's own middleware declare their keys the same way.
declare module 'hono' {
  interface ContextVariableMap {
    '@lexigram/monitor': Monitor;
  }
}

/**
 * `c.executionCtx` when it has a `waitUntil` (Workers); Hono's getter throws elsewhere (Node, Bun, Deno), an
 * Error whose stack trace cost about 7 µs a request, a quarter of the middleware's time there:
 * it is thrown with no stack trace to capture.
 */
function executionContext(c: Context): { waitUntil: WaitUntil } | undefined {
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  const quiet = typeof limit === 'number' && setLimit(E, 0);
  try {
    const ctx = c.executionCtx as { waitUntil?: WaitUntil } | undefined;
    return typeof ctx?.waitUntil === 'function' ? (ctx as { waitUntil: WaitUntil }) : undefined;
  } catch {
    return undefined;
  } finally {
    if (quiet) setLimit(E, limit);
  }
}

/** False where `Error.stackTraceLimit` cannot be written (a frozen realm). */
function setLimit(E: { stackTraceLimit?: number }, n: number): boolean {
  try {
    E.stackTraceLimit = n;
    return true;
  } catch {
    return false;
  }
}

/**
 * The matched route, or undefined when only a catch-all middleware (`use('*')`, a logger run
 * last on a 404) matched, or when no handler after this middleware ran (`own`, its index in
 * Hono's match: a 404 answered by notFound). Its own pattern (`/api/*` under `basePath('/api')`,
 * `use('/api/*')` or a sub-app) is no route of the app: it named every 404 there and hid the
 * `route` option's name. A catch-all handler of a method (`app.get('*', spa)`) is a route.
 *
 * A request a middleware refused (an error status or a throw: `use('/admin/*', basicAuth())`'s
 * 401, a rate limiter's 429, a failing `use()`'s 500) is named by the route Hono matched for it,
 * the first handler of its method after that middleware (`/admin/users/:id`), as when the
 * handler answers: the endpoint's error rate holds its refused requests. A middleware's own
 * answer below 400 (`serveStatic`'s file, a CORS preflight, a redirect) keeps its pattern: it
 * served the request, and a SPA's `app.get('*')` after it must not name every asset. A `use()`
 * and an `app.all()` are both method ALL in Hono's match: one taking no `next` is a handler.
 * With no handler after it (a 404) the middleware's own pattern stays.
 */
function matchedRoute(c: Context, own: number, thrown: boolean): string | undefined {
  try {
    const i = c.req.routeIndex;
    if (i === own) return undefined;
    const routes = c.req.matchedRoutes;
    let m = routes[i];
    if (m?.method === 'ALL' && (thrown || sentStatus(c) >= 400)) {
      for (let j = i + 1; j < routes.length; j++) {
        const h = routes[j]!;
        // A handler: of a method, or an app.all() one, told from a use() as Hono's own docs do,
        // by taking no `next`.
        if (h.method !== 'ALL' || (h.handler as (...a: unknown[]) => unknown).length < 2) {
          m = h;
          break;
        }
      }
    }
    const r = m?.path;
    if (typeof r !== 'string' || r === '') return undefined;
    return (r === '/*' || r === '*') && m!.method === 'ALL' ? undefined : r;
  } catch {
    return undefined;
  }
}

/**
 * The status the client gets. Until a handler returned a Response `c.res` is a placeholder 200;
 * Hono answers such a request 500 ("Context is not finalized").
 */
function sentStatus(c: Context): number {
  return c.finalized ? c.res.status : 500;
}

function recordOnly(span: Span, err: unknown): void {
  try {
    span.recordException(err);
  } catch {
    // never let telemetry replace the user's error
  }
}

/**
 * Names the server span after the route, marks the error Hono caught, and emits the
 * `web.request` hook when the monitor subscribed to hooks (the span exists: `traced`). Under an
 * adapter (`scope`, the adapter's) the hook, and an error Hono caught after this returned, wait
 * for the adapter's answer (whenAnswered): a middleware registered before this one may still
 * throw after next(), answered 500 by onError (which sets c.error), and the span and the hook
 * held the handler's 200 and no exception.
 */
function describe(monitor: Monitor, span: Span, c: Context, method: string, start: number, own: number, thrown?: { error: unknown }, scope?: Scope): void {
  const route = matchedRoute(c, own, thrown !== undefined);
  if (route) {
    span.updateName(serverSpanName(method, route));
    span.setAttribute('http.route', route);
  }
  // What next() threw is recorded by whoever catches it (handleRequest), not twice. An error
  // onError (or an HTTPException) turned into a 4xx is the client's: HTTP semconv leaves a
  // server span with a 4xx response unset, so tail sampling's keepErrors and error rates are
  // not filled with 401s; the exception event is still recorded.
  const seen = c.error;
  if (seen && seen !== thrown?.error) caught(span, seen, sentStatus(c));
  if (scope === undefined) {
    // c.error is any error Hono handled, also one onError turned into a 4xx: the status is the response's.
    if (monitor.hooks) emitRequest(monitor, method, route, thrown ? 500 : sentStatus(c), start, thrown ? thrown.error : c.error);
    return;
  }
  whenAnswered(scope, (sent, failed) => {
    // No status sent (a client that left, a timeout): the one the app answered, as alone.
    const status = sent ?? (thrown ? 500 : sentStatus(c));
    const late = c.error;
    // Caught by Hono after this returned: recorded as one caught before (above). What the
    // adapter failed with (`failed`) it records itself.
    if (late && late !== seen && late !== thrown?.error && late !== failed && span.isRecording()) caught(span, late, status);
    if (monitor.hooks) emitRequest(monitor, method, route, status, start, thrown ? thrown.error : (late ?? failed));
  });
}

/** An error Hono caught, on the span: an ERROR with a 5xx answer, recorded only with another. */
function caught(span: Span, err: unknown, status: number): void {
  if (status >= 500) failSpan(span, err);
  else recordOnly(span, err);
}

/** The `web.request` hook of a request this middleware described. */
function emitRequest(monitor: Monitor, method: string, route: string | undefined, status: number, start: number, error: unknown): void {
  monitor.hooks!.emit('web.request', { method, route, status, durationMs: Math.max(0, now() - start), traced: true, ...(error !== undefined ? { error } : {}) });
}

/** Scopes whose server span a middleware call is naming right now. */
const describing = new WeakSet<Scope>();
/**
 * The request each scope's server span was named for. A request the app makes to itself after
 * its handler returned (work in `waitUntil`, a stream's callback) runs in that scope too, but is
 * not `describing` any more: without this it renamed (or, once ended, silently failed to rename)
 * the span of the request that made it, and got no span or duration point of its own.
 */
const described = new WeakMap<Scope, Request>();

/**
 * Runs the rest of the chain, then describes the request also when it threw: Hono rethrows
 * what is not an Error (or what onError rethrows), and the route is known by then. Meanwhile
 * the scope is marked, so a request the app makes to itself gets a span of its own. `adapter`:
 * the scope again when it is an adapter's (see describe), else undefined.
 */
async function describedNext(next: () => Promise<void>, monitor: Monitor, span: Span, scope: Scope, c: Context, method: string, start: number, adapter?: Scope): Promise<void> {
  let thrown: { error: unknown } | undefined;
  // Hono's index of this middleware in the match, until next() runs the handlers after it.
  const own = c.req.routeIndex;
  describing.add(scope);
  described.set(scope, c.req.raw);
  try {
    await next();
  } catch (error) {
    thrown = { error };
    throw error;
  } finally {
    describing.delete(scope);
    // A request `ignoreRequest` left out is not described: its span records nothing, and the
    // `web.request` hook would count it in the hooks' request metric. (A recording span never is one.)
    if (span.isRecording() || !ignoredScopes.has(scope)) describe(monitor, span, c, method, start, own, thrown, adapter);
  }
}

/**
 * Hono middleware: a SERVER span per request named by the matched route (`GET /users/:id`),
 * `http.server.request.duration` and `http.server.active_requests` by method, route and status,
 * exceptions Hono caught recorded as ERROR, and the export handed to `c.executionCtx.waitUntil`
 * when there is one. Under an adapter that already opened a server span (`instrument()` on
 * Workers, Deno, Bun or Node), it names that span instead of making a second one.
 *
 * Register it first: alone, its span ends when it returns, so a middleware registered before
 * it is not seen after `next()` (an error it throws then, answered 500 by onError, is recorded
 * with the handler's status). A config diagnostic says so once; under an adapter the adapter's
 * span, and the `web.request` hook (emitted when the adapter answers), record the answer sent.
 *
 * @param monitorOrConfig a monitor, its options, or `(env) => options` (Hono's `c.env`)
 * @param options HTTP options (`trustIncomingTrace`, `captureHeaders`, `waitForBody`, `ignoreRequest`,
 *   which gets `c.req.raw`); under an adapter, the adapter's options apply instead
 * @example
 * ```ts
 * const app = new Hono();
 * app.use(monitorMiddleware({ serviceName: 'api' }));
 * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
 * ```
 */
// Generic in the env, so a typed `(env: Env) => …` (a Workers `Env` interface) is taken as `instrument()` takes it.
export function monitorMiddleware<E = EnvRecord>(monitorOrConfig: MonitorConfig<E>, options: HonoMonitorOptions = {}): MiddlewareHandler {
  // A misspelled option (`waitForBdy`) throws where the app is built, as instrument()'s does,
  // instead of leaving its default in force unseen. `route` is known: handleRequest reads it,
  // and it names a request no Hono route matched (a 404) where Hono's route names the rest.
  checkHttpOptions('monitorMiddleware', options, MIDDLEWARE_OPTION_KEYS);
  const setClientAddress = clientAddressReader();
  try {
    checkConfigNow(monitorOrConfig);
  } catch (err) {
    // `monitorMiddleware({ serviceName, ignoreRequest })` was told only the monitor's options:
    // the HTTP ones go in the second argument, as instrument()'s third.
    if (Object.keys(Object(monitorOrConfig)).some((k) => k in MIDDLEWARE_OPTION_KEYS)) (err as Error).message += " HTTP options go in monitorMiddleware's second argument.";
    throw err;
  }
  // Set when the configuration threw: the app then runs uninstrumented, and the error (printed
  // once) is not built again, and printed again, on every request.
  let misconfigured = false;
  // The monitor built from options, once: the environment is read for the first request only.
  let built: Monitor | undefined;
  // Under an adapter its span, started from its own options, is the one described: these are unread.
  const unread = Object.keys(options).filter((k) => options[k as keyof HonoMonitorOptions] !== undefined).join(', ');
  return async function lexigramMonitor(c, next) {
    const scope = getActiveScope();
    const vars = c as unknown as { get(key: string): unknown; set(key: string, value: unknown): void };
    const outer = vars.get(MONITOR_KEY);
    let monitor: Monitor;
    // Under an adapter (instrument(), serve()) given options or a function of the env, as the
    // adapter is: the adapter's monitor is this request's. One built here from the same options
    // would be a second that nothing flushes there (what the app records through
    // c.get(MONITOR_KEY) lost), and an option only the adapter takes (captureHeaders) would fail it.
    if (scope?.serverSpan && !(monitorOrConfig instanceof Monitor) && scope.owner instanceof Monitor) monitor = scope.owner;
    // So under another monitorMiddleware on this request (a sub-app's own, given its own options):
    // its monitor, found in the Context, which holds it also where no AsyncLocalStorage carries
    // the scope past an await of a middleware between them. A second monitor built here recorded
    // the request twice, to the same backends.
    else if (outer instanceof Monitor && !(monitorOrConfig instanceof Monitor)) monitor = outer;
    else {
      if (misconfigured) return next();
      try {
        monitor = built ??= monitorFromConfig(monitorOrConfig, hostEnv(c.env) as E | undefined, MIDDLEWARE_DEFAULTS, 'monitorMiddleware');
      } catch (err) {
        // A configuration error is the developer's to see, not the client's.
        misconfigured = true;
        console.error(err);
        await next();
        return;
      }
    }
    // A sub-app with its own monitorMiddleware(monitor), mounted with route(), runs in the same
    // Context: the outer call describes this request already; a second would count it twice.
    if (outer === monitor) {
      await next();
      return;
    }
    vars.set(MONITOR_KEY, monitor);
    const existing = scope?.serverSpan;
    const method = normalizeMethod(c.req.method);
    const start = now();
    // The adapter's span is this request's, unless the middleware is describing it already: then
    // this is a request the app makes to itself (`app.request('/internal')`), which gets its own;
    // so does another request in a scope whose span was named already (self-requests made later).
    // A monitor given here that is not the adapter's leaves the adapter's span alone, as its
    // tracer leaves the scope, and records its own: else its /metrics would stay empty. Options
    // given here describe the adapter's span, the monitor built from them seen by nobody.
    if (scope && existing && scope.owner !== monitor && monitorOrConfig instanceof Monitor) {
      monitor.diag.report('config', 'monitorMiddleware: the adapter has another monitor; give both the same monitor', undefined, 'hono:two-monitors');
    } else if (scope && existing && !describing.has(scope) && (described.get(scope) ?? c.req.raw) === c.req.raw) {
      if (unread) monitor.diag.report('config', () => `monitorMiddleware: options not read under an adapter, whose span has started: ${unread}; give them to instrument() or serve()`, undefined, 'hono:adapter-options');
      await describedNext(next, monitor, existing, scope, c, method, start, scope);
      return;
    }
    // Alone, the span ends when this call returns: what middleware registered before it do
    // afterwards is out of its sight (Hono gives no hook at the end of its chain).
    if (c.req.routeIndex > 0 && !toldNotFirst.has(monitor)) notFirst(monitor, c);
    // The export waits for the work the handler hands to `c.executionCtx.waitUntil`, as under
    // instrument(): what it records then leaves with this request, not with the isolate's next
    // export (lost if the isolate is evicted first).
    const ctx = executionContext(c);
    const [waitUntil, held] = ctx ? exportAndHold(ctx, WAIT_UNTIL_TIMEOUT_MS) : [];
    let unfinalized = false;
    const response = await handleRequest(
      monitor,
      c.req.raw,
      async (_req, { span, scope: own }) => {
        setClientAddress(c, span);
        await describedNext(next, monitor, span, own, c, method, start);
        // A client that left before the answer (an abandoned long poll) got no status: recorded as
        // the adapters record it (connection_closed). @hono/node-server's response (c.env.outgoing)
        // is then closed unsent; Bun (c.env its server) aborts the request's signal. Deno's signal
        // is not read: a first read prints a warning, and reads not aborted after the client left.
        const env = c.env as { outgoing?: { destroyed?: boolean; headersSent?: boolean }; upgrade?: unknown } | undefined;
        const out = env?.outgoing;
        if (out ? out.destroyed && !out.headersSent : typeof env?.upgrade == 'function' && c.req.raw.signal.aborted) own.unanswered = true;
        if (c.finalized) return c.res;
        // Setting c.res would finalize the context and send this empty 500 instead of Hono's answer.
        unfinalized = true;
        // What handleRequest records for a request Hono will answer 500; never given to Hono as c.res.
        return new Response(null, { status: 500 });
      },
      waitUntil,
      options,
      held,
    );
    if (!unfinalized && response !== c.res) {
      // Hono's setter copies the previous response's headers onto the new one, which would put
      // back the content-encoding and content-length dropped for a body fetch() decoded.
      c.res = undefined;
      c.res = response;
    }
  };
}

/** Monitors told that their middleware runs after others (see notFirst). */
const toldNotFirst = new WeakSet<Monitor>();

/**
 * Says once, as a config diagnostic, that middleware ran before this one on a request: their
 * time is not in the span, and what they do after `next()` is not seen. One that throws then is
 * answered 500 by Hono's onError while the span and the duration point keep the handler's 200;
 * one that replaces the response is recorded with the status it replaced.
 */
function notFirst(monitor: Monitor, c: Context): void {
  toldNotFirst.add(monitor);
  let before = '';
  try {
    before = c.req.matchedRoutes
      .slice(0, c.req.routeIndex)
      .map((r) => `${r.method === 'ALL' ? 'use' : r.method.toLowerCase()}('${r.path}')`)
      .join(', ');
  } catch {
    // named without them
  }
  monitor.diag.report(
    'config',
    `monitorMiddleware runs after other middleware (${before}): their time is not in its span, a request they answer themselves is not recorded, and what they do after next() is not seen (an error they throw then is answered 500 by onError but recorded with the handler's status); register monitorMiddleware first, or serve the app with instrument() or serve(), whose span covers the whole app`,
    undefined,
    'hono:not-first',
  );
}

/**
 * Wraps one middleware in an INTERNAL span `middleware <name>` (optional per-middleware
 * timing; the span covers what runs after it too, as middleware do). An error is recorded
 * and rethrown. Uses the monitor of `monitorMiddleware`, or the one given.
 *
 * @example
 * ```ts
 * app.use(monitorMiddleware({ serviceName: 'api' }));
 * app.use(tracedMiddleware('auth', bearerAuth({ token })));
 * ```
 */
export function tracedMiddleware(name: string, middleware: MiddlewareHandler, monitor?: Monitor): MiddlewareHandler {
  return async function tracedMiddlewareHandler(c, next) {
    const m = monitor ?? ((c as unknown as { get(key: string): unknown }).get(MONITOR_KEY) as Monitor | undefined);
    if (!m) return middleware(c, next);
    const span = m.tracer.startSpan(`middleware ${name}`, { attributes: { 'hono.middleware': name } });
    try {
      return await runInSpan(span, () => middleware(c, next));
    } catch (err) {
      // An HTTPException with a 4xx (bearerAuth's 401) is the client's, as describe() treats the
      // server span: recorded, not ERROR, so keepErrors does not keep every refused request.
      if (clientHttpException(err)) recordOnly(span, err);
      else failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  };
}

/** Hono's HTTPException (duck-typed: only hono's types are imported) with a status below 500. */
function clientHttpException(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const { status, getResponse } = err as { status?: unknown; getResponse?: unknown };
  return typeof getResponse === 'function' && typeof status === 'number' && status >= 400 && status < 500;
}
