import type { EnvRecord } from '../../../src/config/env.js';
import { measuredFor, routeSetOn } from '../../../src/trace/span.js';
import { contextStorage } from '../../../src/context/active.js';
import { monitorFromConfig, type MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { answeredWith, errorType, handleRequest, HandlerError, ignoredSpan, isIgnored, type HttpInstrumentationOptions, type RequestTelemetry } from '../../../src/http/handle-request.js';
import { httpServerMetrics } from '../../../src/http/server-metrics.js';
import { serverSpanName } from '../../../src/http/request-attributes.js';
import type { Monitor } from '../../../src/monitor.js';
import type { FlushResult, Scope } from '../../../src/scope/scope.js';
import { SpanKind, SpanStatus } from '../../../src/model/span-data.js';
import { extractIncoming } from '../../../src/trace/propagation/propagation.js';
import { failSpan } from '../../../src/trace/tracer.js';
import { now, secondsBetween } from '../../../src/time.js';
import { contextWaitUntil, detectKind, isLambdaContext, vercelContext, type FunctionKind, type LambdaContextLike } from './detect.js';
import { captureHeaders, eventShape, resultHeaders, resultStatus, watchPrelude, type EventShape } from './lambda-event.js';
import { addLambdaResource } from './lambda-resource.js';
import { within } from '../../../src/adapter/process-server.js';
import { recordInvocation } from '../../../src/adapter/invocation-metrics.js';
import { checkHttpOptions, HTTP_OPTION_KEYS } from '../../../src/config/option-keys.js';
import { holdWaitUntil, WAIT_UNTIL_TIMEOUT_MS, type WaitUntilContext } from '../../../src/scope/hold-wait-until.js';
import { isNodeStyleCall, requestFromNode, runNodeStyle, standInRequest, unanswered, type NodeRequestLike, type NodeResponseLike } from '../../../src/adapter/node-style.js';

export interface WrapFunctionOptions extends HttpInstrumentationOptions {
  /** Force the function's shape instead of detecting it from the arguments of each call. */
  kind?: FunctionKind;
  /**
   * Upper bound on the flush awaited before returning where the platform freezes the sandbox
   * (Lambda, and Web functions without a `waitUntil`). Default 2000 ms; on Lambda also capped
   * by the remaining time minus 100 ms. Also how long a Node-style function still running after
   * its client left is waited for before its span ends, and, on Vercel, how long before the
   * invocation's `deadline` the export stops waiting for work handed to `waitUntil`.
   */
  flushTimeoutMs?: number;
  /**
   * AWS Lambda: how long before the invocation's deadline (`context.getRemainingTimeInMillis()`)
   * a handler still running is recorded as timed out: its span ends as an error with `error.type`
   * `timeout` and everything the invocation recorded is exported in the time left, since Lambda
   * stops the function at the deadline without running anything more. Default: the larger of 50 ms
   * and 5% of the time the invocation had (that 5% at most `flushTimeoutMs`). `false` turns it off.
   * An invocation with no more time left than the margin is not watched.
   */
  timeoutMarginMs?: number | false;
}

type AnyFunction = (...args: any[]) => any;

const WRAP_KEYS: Record<keyof WrapFunctionOptions, 0> = { ...HTTP_OPTION_KEYS, kind: 0, flushTimeoutMs: 0, timeoutMarginMs: 0 };
const KINDS: readonly FunctionKind[] = ['lambda', 'vercel', 'netlify', 'fetch', 'node'];
/** The longest delay setTimeout keeps (a longer one fires at once). */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** The default timeout margin: the larger of this and TIMEOUT_MARGIN_SHARE of the invocation's time. */
const MIN_TIMEOUT_MARGIN_MS = 50;
const TIMEOUT_MARGIN_SHARE = 0.05;

function processEnv(): EnvRecord | undefined {
  // Lambda, Vercel and Netlify functions have `process.env`; edge runtimes may not.
  try {
    return (globalThis as unknown as { process?: { env?: EnvRecord } }).process?.env;
  } catch {
    return undefined;
  }
}

let coldStart = true;
/** When the first wrapper was made: the sandbox's init phase (Date.now, as the gap spans a freeze). */
let initAt: number | undefined;
/** Longer than this between init and the first invocation is AWS's proactive initialization. */
const MAX_INIT_MS = 10_000;

/**
 * `faas.coldstart` of the sandbox's first invocation, as OpenTelemetry's Lambda instrumentation
 * decides it: a sandbox made ahead by provisioned concurrency, or initialized proactively (AWS
 * warms most sandboxes before any request comes), kept no caller waiting for its init.
 */
function firstIsCold(): boolean {
  const type = processEnv()?.AWS_LAMBDA_INITIALIZATION_TYPE;
  if (type === 'provisioned-concurrency') return false;
  if (type === 'snap-start' || initAt === undefined) return true; // a restore is a cold start
  return Date.now() - initAt <= MAX_INIT_MS;
}

/** How long an invocation waits for its export while the last ones timed out. */
const DEGRADED_WAIT_MS = 100;
/** Monitors whose last export outlasted the wait or timed out (a collector down or hanging). */
const degraded = new WeakSet<Monitor>();

/**
 * Waits for an invocation's export, at most `ms`: where the sandbox freezes once the function
 * returns, the export must be done first. While a monitor's exports time out (a collector that
 * is down or hangs: with the default retries a refused connection or a 503 is retried past the
 * wait), each invocation would pay the whole timeout, so it waits only DEGRADED_WAIT_MS: the
 * export still runs (failures are counted as ever), and the full wait comes back with the first
 * export that is answered within it. A failure answered within `ms` (a collector that takes
 * traces and answers 404 to /v1/metrics, a 400) costs no more than it took: judged down for it,
 * every later invocation would stop waiting for its healthy but slower exports, and lose them to
 * the freeze.
 */
async function awaitFlush(monitor: Monitor, flush: Promise<unknown>, ms: number, scope?: Scope): Promise<void> {
  let settled = false;
  const start = now();
  // The collector is judged by the export alone: work the invocation handed to `scope.waitUntil`
  // (an alert's post) is awaited within the same budget, but a slow one says nothing about it.
  void (scope?.exported ?? flush).then(
    (r) => {
      settled = true;
      const backends = (r as FlushResult | undefined)?.backends ?? [];
      const down = backends.some((b) => !b.ok && (b.reason === 'export_timeout' || now() - start > ms));
      if (down) degraded.add(monitor);
      else degraded.delete(monitor);
    },
    () => (settled = true),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([flush.then(noop, noop), new Promise<void>((r) => (timer = setTimeout(r, degraded.has(monitor) ? Math.min(ms, DEGRADED_WAIT_MS) : ms)))]);
  clearTimeout(timer);
  if (!settled) degraded.add(monitor);
}
const noop = (): void => {};

/**
 * Instruments a serverless function. Each call gets a scope and a span; what it recorded is
 * exported before the platform can freeze the sandbox:
 * - AWS Lambda `(event, context)`: API Gateway v1/v2 and function-URL events get a SERVER span
 *   with HTTP attributes, others a span with `faas.trigger` (scheduled events also `faas.time`); `faas.invocation_id`,
 *   `faas.coldstart`; SQS and SNS batches link to each message's `traceparent` (or X-Ray
 *   header); the resource gets `cloud.region`, `faas.name`, `faas.max_memory`, ... from the
 *   variables Lambda sets (on Vercel also `deployment.environment.name` and `deployment.id`);
 *   the flush is awaited before the handler's promise settles, or before the runtime's callback
 *   is called for a handler that answers through its callback (VL-02). A response-streaming
 *   handler's status is the one its stream's prelude carried (given to
 *   `awslambda.HttpResponseStream.from`, or written by hand after the integration content type).
 * - Web handlers `(request, context?) => Response`: Netlify's `context.waitUntil`, Vercel's
 *   request-context `waitUntil` (VL-01); with neither, the flush is awaited before returning.
 * - Node-style functions `(req, res)` (Vercel's Node.js runtime): a SERVER span that ends when
 *   the response has been sent, with the status the function set (when its client left before
 *   any answer, once the function settles, waited for at most `flushTimeoutMs`: a failure is
 *   recorded without a status); exported in Vercel's
 *   `waitUntil`, or awaited before the returned promise settles where there is none. The function
 *   is called with `(req, res)` only (an Express app works as it is); `getActiveSpan()` and
 *   `getActiveScope()` reach the request's telemetry.
 *
 * @param fn the handler
 * @param config monitor, options or `(env) => options`; OTEL_* from `process.env` apply
 * @param options `kind` forces the shape; HTTP options as for `instrument()`
 * @example
 * ```ts
 * import { wrapFunction } from '@lexigram/monitor/serverless';
 * export const handler = wrapFunction(async (event) => ({ statusCode: 200, body: 'ok' }), { serviceName: 'orders' });
 * ```
 */
export function wrapFunction<F extends AnyFunction>(fn: F, config: MonitorConfig<EnvRecord> = {}, options: WrapFunctionOptions = {}): F {
  if (typeof fn !== 'function') throw new TypeError('wrapFunction(fn, config): fn must be a function.');
  checkHttpOptions('wrapFunction', options, WRAP_KEYS);
  const { kind: forced, flushTimeoutMs = 2000, timeoutMarginMs, ...http } = options;
  // Wrong configuration throws here, where the handler is exported, with what to change
  // (DESIGN 5): built on first call, a bad option failed every invocation instead.
  if (forced !== undefined && !KINDS.includes(forced)) {
    throw new TypeError(`wrapFunction: \`kind\` must be one of ${KINDS.join(', ')}, got ${JSON.stringify(forced)}.`);
  }
  // setTimeout fires at once for NaN, Infinity or past 2^31 - 1 ms: the flush would not be awaited.
  if (typeof flushTimeoutMs !== 'number' || !(flushTimeoutMs >= 0 && flushTimeoutMs <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`wrapFunction: \`flushTimeoutMs\` must be a number of milliseconds from 0 to ${MAX_TIMEOUT_MS}, got ${typeof flushTimeoutMs === 'string' ? JSON.stringify(flushTimeoutMs) : String(flushTimeoutMs)}.`);
  }
  if (timeoutMarginMs !== undefined && timeoutMarginMs !== false && (typeof timeoutMarginMs !== 'number' || !(timeoutMarginMs >= 0 && timeoutMarginMs <= MAX_TIMEOUT_MS))) {
    throw new RangeError(
      `wrapFunction: \`timeoutMarginMs\` must be a number of milliseconds from 0 to ${MAX_TIMEOUT_MS} (how long before the Lambda deadline a running invocation is recorded as timed out), or false to turn that off, got ${typeof timeoutMarginMs === 'string' ? JSON.stringify(timeoutMarginMs) : String(timeoutMarginMs)}.`,
    );
  }
  const lambda: LambdaOptions = { flushTimeoutMs, timeoutMarginMs, isAsync: isAsyncFunction(fn) };
  const env = processEnv();
  let monitor: Monitor;
  try {
    monitor = monitorFromConfig(config, env);
  } catch (err) {
    // `wrapFunction(fn, { serviceName, kind })`, or a config function returning that: createMonitor
    // lists only its own options; the wrapper's go in the third argument (as monitorMiddleware says
    // of its second).
    const k = err instanceof Error ? /unknown option `(\w+)`/.exec(err.message)?.[1] : undefined;
    if (k !== undefined && Object.hasOwn(WRAP_KEYS, k)) (err as Error).message += ` \`${k}\` is wrapFunction's own: it goes in its third argument, wrapFunction(fn, config, { ${k} }).`;
    throw err;
  }
  addLambdaResource(monitor, env);
  initAt ??= Date.now();
  const invoke = function instrumentedFunction(this: unknown, ...args: unknown[]): Promise<unknown> | undefined {
    const kind = forced ?? detectKind(args);
    if (kind === 'lambda') return invokeLambda(monitor, fn, this, args, lambda, http);
    if (kind === 'node') return invokeNodeStyle(monitor, fn, this, args, flushTimeoutMs, http);
    return invokeWeb(monitor, fn, this, args, kind, flushTimeoutMs, http);
  };
  // The Lambda runtime reads `handler.constructor.name === 'AsyncFunction'`: when the event loop
  // empties with an async handler's promise unsettled it fails the invocation (Runtime.NodeJsExit),
  // for any other it answers null, a success (an SQS batch then deleted, not retried). An async
  // handler's wrapper is async too (it returns a promise in every case); any other stays plain,
  // as a callback-style handler's must return nothing.
  const wrapped = (
    isAsyncFunction(fn)
      ? async function instrumentedFunction(this: unknown, ...args: unknown[]): Promise<unknown> {
          return invoke.apply(this, args);
        }
      : invoke
  ) as F;
  // Markers the platform reads off the handler travel with it: `awslambda.streamifyResponse(fn)`
  // marks a response-streaming handler with a symbol, and without it the runtime would call the
  // wrapper as a buffered one.
  for (const key of Object.getOwnPropertySymbols(fn)) {
    try {
      (wrapped as unknown as Record<symbol, unknown>)[key] = (fn as unknown as Record<symbol, unknown>)[key];
    } catch {
      // a read-only or throwing marker stays behind
    }
  }
  return wrapped;
}

function isAsyncFunction(fn: AnyFunction): boolean {
  try {
    return fn.constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}

async function invokeWeb(
  monitor: Monitor,
  fn: AnyFunction,
  self: unknown,
  args: unknown[],
  kind: FunctionKind,
  flushTimeoutMs: number,
  http: HttpInstrumentationOptions,
): Promise<Response> {
  const [request, context] = args;
  // Exactly the platform's arguments, as for Node-style functions: a Hono app's `fetch(request,
  // env, executionCtx)` would take an extra one for its execution context. Telemetry is the
  // active context (getActiveSpan(), getActiveScope()).
  let scope: Scope | undefined;
  const call = (req: Request, t: RequestTelemetry): Promise<Response> => ((scope = t.scope), fn.apply(self, [req, ...args.slice(1)]));
  const own = kind === 'vercel' ? undefined : contextWaitUntil(context);
  // Vercel's request context, also where the handler gets an event with a `waitUntil` of its own
  // (Vercel's Node.js runtime passes Web handlers `(request, event)`).
  const vercel = kind === 'netlify' && !own ? undefined : vercelContext();
  // Read before the hold puts its own on the context: the export must not wait for itself. With
  // both, Vercel's own: an event's `waitUntil` may hand its promise on through the request
  // context's, whose hold would then take the export too.
  const waitUntil = vercel ? vercel.waitUntil.bind(vercel) : own;
  // Work the handler hands to the context's `waitUntil` (Netlify's), or to `@vercel/functions`'
  // waitUntil (which reads Vercel's request context per call): the export waits for it (at most
  // WAIT_UNTIL_TIMEOUT_MS), as on Workers, so what it records leaves with this invocation.
  if (waitUntil) return handleRequest(monitor, request as Request, call, waitUntil, http, holdBoth(holdFor(own && (context as WaitUntilContext), flushTimeoutMs), vercel === context ? undefined : holdFor(vercel, flushTimeoutMs)));
  // No waitUntil: the platform may freeze once the response is returned, so the export is
  // awaited first (the span then ends at the response headers, not at the end of the body).
  let flushing: Promise<unknown> | undefined;
  try {
    return await handleRequest(monitor, request as Request, call, (p) => (flushing = p), { ...http, waitForBody: false });
  } finally {
    if (flushing) await awaitFlush(monitor, flushing, flushTimeoutMs, scope);
  }
}

/**
 * Holds the invocation's export for the work handed to `ctx.waitUntil` while it runs (see
 * holdWaitUntil): `ctx.waitUntil` forwards each promise to the platform's, as it is, for the
 * invocation, and is put back after. Where the context says when the invocation ends (Vercel's
 * `deadline`, which `@vercel/functions`' getDeadline reads), the hold ends `marginMs` before it:
 * work that hangs past it would otherwise keep the export from ever starting.
 */
function holdFor(ctx: WaitUntilContext | undefined, marginMs: number): Release | undefined {
  if (!ctx) return undefined;
  let deadline = NaN;
  try {
    deadline = Date.parse(String((ctx as { deadline?: unknown }).deadline));
  } catch {
    // no deadline that can be read: the usual bound
  }
  const left = (): number => deadline - Date.now() - marginMs;
  const release = holdWaitUntil(ctx, ctx.waitUntil, Number.isNaN(deadline) ? WAIT_UNTIL_TIMEOUT_MS : Math.min(WAIT_UNTIL_TIMEOUT_MS, left()));
  if (!release || Number.isNaN(deadline)) return release;
  return () => {
    const work = release();
    return work && within(work, left());
  };
}

/** Both holds, for an invocation that has two contexts with a `waitUntil`. */
function holdBoth(a: Release | undefined, b: Release | undefined): Release | undefined {
  if (!a || !b) return a ?? b;
  return () => {
    const x = a();
    const y = b();
    return x && y ? Promise.all([x, y]).then(noop) : (x ?? y);
  };
}
type Release = () => Promise<void> | undefined;

async function invokeNodeStyle(
  monitor: Monitor,
  fn: AnyFunction,
  self: unknown,
  args: unknown[],
  flushTimeoutMs: number,
  http: HttpInstrumentationOptions,
): Promise<unknown> {
  const req = args[0] as NodeRequestLike;
  const res = args[1] as NodeResponseLike;
  let request: Request;
  try {
    // The function gets the platform's req: the Request is the telemetry's, a Web one only for `route(request)`.
    request = requestFromNode(req, !http.route, true);
  } catch {
    // A request that cannot be read (a getter that throws) must not keep the function from running,
    // nor go untraced: a stand-in request, and a count. Arguments of no Node shape (a forced `kind`)
    // would fail the call once the function ran: it runs as it is.
    monitor.diag.drop('invalid_value', 'a Node-style request that could not be read was recorded with a stand-in URL');
    if (!isNodeStyleCall(args)) return fn.apply(self, args);
    request = standInRequest(req);
  }
  const vercel = vercelContext();
  const waitUntil = vercel && vercel.waitUntil.bind(vercel);
  // Work handed to `@vercel/functions`' waitUntil while the function runs: waited for by the export.
  const held = holdFor(vercel, flushTimeoutMs);
  let flushing: Promise<unknown> | undefined;
  let returned: unknown;
  // The span ends once the response has been sent; the function's own result is passed back.
  // The function gets the platform's arguments and nothing more: an Express or Connect app is
  // `(req, res, next)` and would take an extra argument as its final handler, leaving 404s and
  // errors unanswered. Its telemetry is the active context (getActiveSpan(), getActiveScope()).
  let scope: Scope | undefined;
  /** The function was called (its failure is its own, passed on as it is). */
  let ran = false;
  const run = async (_req: Request, telemetry: RequestTelemetry): Promise<Response> => {
    scope = telemetry.scope;
    // The connection's peer: Forwarded#for and X-Forwarded-For are any client's to set.
    const peer = req.socket?.remoteAddress;
    if (peer) telemetry.span.setAttribute('client.address', peer);
    ran = true;
    try {
      const sent = await runNodeStyle(() => fn.apply(self, args), req, res, telemetry);
      returned = sent.returned;
      // A client that left before any answer: what the function still does decides the outcome,
      // within flushTimeoutMs (one that never settles, as on an upstream that hangs, would keep its
      // span from ever being exported; past that it ends as connection_closed).
      if (telemetry.scope.unanswered) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([returned, new Promise((r) => (timer = setTimeout(r, flushTimeoutMs)))]).finally(() => clearTimeout(timer));
      }
      return sent.response;
    } catch (e) {
      // Failed once its client had left: the exception without the 500 it never sent.
      if (unanswered(res)) telemetry.scope.unanswered = true;
      // Failed with its head sent (a body cut short): the client got that status, not a 500, as
      // the normal path records what was sent (read now: `runNodeStyle` rejects only before the end).
      if (!telemetry.scope.unanswered && res.headersSent) throw new HandlerError(e, res.statusCode);
      throw e;
    }
  };
  const serve = (r: Request): Promise<Response> => handleRequest(monitor, r, run, waitUntil ?? ((p) => (flushing = p)), { ...http, waitForBody: false }, held);
  try {
    await serve(request).catch((err: unknown) => {
      if (ran) throw err instanceof HandlerError ? err.error : err;
      // Failed before the function was called: reading the request (a header getter that throws)
      // failed, not the function. It is still called, once, under a stand-in request.
      monitor.diag.drop('invalid_value', 'a Node-style request that could not be read was recorded with a stand-in URL');
      return serve(standInRequest(req)).catch((e: unknown) => {
        if (ran) throw e instanceof HandlerError ? e.error : e;
        returned = fn.apply(self, args);
        return undefined;
      });
    });
  } finally {
    // Without a waitUntil the sandbox may freeze once the function settles: export first.
    if (flushing) await awaitFlush(monitor, flushing, flushTimeoutMs, scope);
  }
  return returned;
}

/** The callback the Lambda Node runtime passes up to Node 22 (Node 24's passes none). */
type LambdaCallback = (err: unknown, value?: unknown) => void;

interface LambdaOptions {
  readonly flushTimeoutMs: number;
  readonly timeoutMarginMs: number | false | undefined;
  /** The wrapper is an async function, which the runtime fails (Runtime.NodeJsExit) when the event loop empties first. */
  readonly isAsync: boolean;
}

/** The time the invocation has left, or undefined where its context cannot tell. */
function remainingMs(context: LambdaContextLike): number | undefined {
  try {
    const left = context.getRemainingTimeInMillis?.();
    return typeof left === 'number' && Number.isFinite(left) ? left : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns a promise, or, for a handler that answers through its callback when the runtime passed
 * one, nothing: the result then goes to the runtime's callback, after the export. A promise would
 * be answered as soon as it resolves (Runtime.ts: `result.then(context.succeed)`), while the
 * callback keeps what `context.callbackWaitsForEmptyEventLoop` means (work left after
 * `callback()` still runs before the answer, and before the freeze).
 */
function invokeLambda(monitor: Monitor, fn: AnyFunction, self: unknown, args: unknown[], options: LambdaOptions, http: HttpInstrumentationOptions): Promise<unknown> | undefined {
  const { flushTimeoutMs, timeoutMarginMs, isAsync } = options;
  const trust = http.trustIncomingTrace !== false;
  const capture = http.captureHeaders;
  // A response-streaming handler (awslambda.streamifyResponse) is called (event, responseStream, context).
  const streaming = !isLambdaContext(args[1]) && isLambdaContext(args[2]);
  const event = args[0];
  const rawContext = streaming ? args[2] : args[1];
  const context: LambdaContextLike = isLambdaContext(rawContext) ? rawContext : {};
  const runtimeCallback = !streaming && typeof args[2] === 'function' ? (args[2] as LambdaCallback) : undefined;
  const cold = coldStart && firstIsCold();
  coldStart = false;
  const name = context.functionName ?? 'function';
  let shape: EventShape;
  try {
    shape = eventShape(event, name, monitor.limits.linkCountLimit);
  } catch {
    // An event this cannot read must not keep it from the handler: a plain span, and a count.
    monitor.diag.drop('invalid_value', 'a Lambda event that could not be read got a plain span');
    shape = { name, kind: SpanKind.SERVER, attributes: { 'faas.trigger': 'other' } };
  }
  const scope = monitor.openScope({ name: 'invocation' });
  // Baggage that came without a traceparent is still the caller's (W3C Baggage stands alone).
  const { parent = null, baggage } = trust && shape.headers ? extractIncoming(shape.headers, monitor) : {};
  const attributes: Record<string, unknown> = { ...shape.attributes, 'faas.coldstart': cold, 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda' };
  // The allow-listed headers, as instrument() records them (redacted with the span's attributes).
  if (shape.headers && capture?.requestHeaders) captureHeaders(attributes, 'http.request.header.', { ...shape.headers, ...shape.headerValues }, capture.requestHeaders);
  if (context.awsRequestId) attributes['faas.invocation_id'] = context.awsRequestId;
  if (context.functionName) attributes['faas.name'] = context.functionName;
  if (context.functionVersion) attributes['faas.version'] = context.functionVersion;
  // Text only: a test's context may hold anything, and a throw here kept the handler from running.
  if (typeof context.invokedFunctionArn === 'string' && context.invokedFunctionArn) {
    // Lambda conventions: the ARN as invoked, which names the alias cloud.resource_id leaves out.
    attributes['aws.lambda.invoked_arn'] = context.invokedFunctionArn;
    const arn = context.invokedFunctionArn.split(':');
    // FaaS conventions: the function's ARN, an alias (`:live`) replaced by the version it resolved
    // to, since one sandbox serves several aliases.
    if (arn.length > 7 && context.functionVersion) arn.splice(7, arn.length, context.functionVersion);
    attributes['cloud.resource_id'] = arn.join(':');
    if (arn[4]) attributes['cloud.account.id'] = arn[4];
  }
  // One start and one end for the span and the request's duration point (HTTP semconv: the same
  // request measured); the point was read later and shorter than the span (metrics set-up between).
  const start = now();
  // `ignoreRequest` (a health check through API Gateway): the invocation runs under an unsampled span, with no request point.
  const ignored = shape.http !== undefined && http.ignoreRequest !== undefined && monitor.enabled && ignoresEvent(monitor, http.ignoreRequest, shape);
  const span = ignored
    ? ignoredSpan(monitor, scope, parent ?? undefined, baggage)
    : monitor.tracer.startSpan(shape.name, { kind: shape.kind, parent, attributes, scope, links: shape.links, startTime: start });
  // The HTTP request's span, for middleware that names it by route (Hono); not a queue's or a cron's.
  if (shape.http) scope.serverSpan = span;
  const metrics = shape.http && !ignored ? httpServerMetrics(monitor) : undefined;
  const activeLabels = shape.http ? { 'http.request.method': shape.http.method, 'url.scheme': shape.http.scheme } : undefined;
  if (metrics && activeLabels) metrics.active.add(1, activeLabels);
  /** Ends the span and records the request's point, once: at the handler's answer or at the timeout. */
  const finish = (status: number | undefined, errType: string | undefined): void => {
    // Before the span ends: a middleware describing it (Hono's) records what happened after it returned.
    if (shape.http) answeredWith(scope, status);
    // Recording-errors conventions: the exception's type, or an HTTP event's 5xx status, on the span as on the metric.
    if (errType) span.setAttribute('error.type', errType);
    // The route the app's router set on the span during the request (the Hono middleware) names
    // the metric too, as handleRequest does; else the event's (routeKey, resource).
    const set = routeSetOn(span);
    // And names the span, as handleRequest does (HTTP semconv `{method} {http.route}`), unless the
    // event's route named it already or the app renamed it.
    if (shape.http && set !== undefined && set !== shape.http.route && (span as { name?: string }).name === serverSpanName(shape.http.method)) span.updateName(serverSpanName(shape.http.method, set));
    const end = now();
    if (metrics && activeLabels && shape.http) {
      metrics.active.add(-1, activeLabels);
      const labels: Record<string, string | number> = { ...activeLabels };
      if (status !== undefined) labels['http.response.status_code'] = status;
      const route = typeof set === 'string' ? set : shape.http.route;
      if (route) labels['http.route'] = route;
      if (errType) labels['error.type'] = errType;
      // Observed for the invocation's span while it still records, as handleRequest does: its
      // exemplar points to this trace (observed after the end, the point pointed to none).
      measuredFor.span = span;
      metrics.duration.observe(secondsBetween(start, end), labels);
      measuredFor.span = undefined;
    } else if (!shape.http) {
      // A queue batch, a cron run, a direct invoke: `faas.invoke_duration`, with the span's start and end.
      recordInvocation(monitor, span, shape.attributes['faas.trigger'], start, end, errType);
    }
    span.end(end);
  };
  // The sandbox freezes once the handler answers (VL-02): export before, within the time left.
  const budget = (): number => {
    const left = remainingMs(context);
    return left === undefined ? flushTimeoutMs : Math.max(0, Math.min(flushTimeoutMs, left - 100));
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The export of an invocation answered without its handler (a timeout, an event loop that emptied
   * first), once that happened: the handler's late answer then records nothing more.
   */
  let abandoned: Promise<void> | undefined;
  const abandon = (status: number | undefined, errType: string | undefined, message?: string): void => {
    if (abandoned) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    try {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (errType) span.setStatus(SpanStatus.ERROR, message);
      finish(status, errType);
    } catch {
      // the export below still runs
    }
    // Child spans still open now would end only after this export: Lambda stops the function at
    // its deadline (and resets the sandbox after a timeout), so no later flush takes them. They
    // are counted here, before the export, so that the count leaves with it: counted once they
    // ended, the count itself would be lost with them. A handler that still answers before the
    // deadline exports those that ended meanwhile too (see `settled`): counted all the same.
    const open = scope.open;
    if (open > 0) {
      monitor.diag.drop(
        'export_timeout',
        () => `a Lambda invocation was exported before its handler finished (a timeout, or an event loop that emptied first) with ${open} of its spans still open; they end too late for any export`,
        open,
      );
    }
    // Nothing is answered after this export: it has what is left, whatever it is.
    const rest = remainingMs(context);
    abandoned = awaitFlush(monitor, scope.close(), rest === undefined ? flushTimeoutMs : Math.max(0, Math.min(flushTimeoutMs, rest)), scope);
  };
  // Lambda stops a function still running at its deadline without warning: what the invocation
  // recorded (its span, logs and the request's point) would be lost, uncounted. One timer, a
  // margin before the deadline, ends the span as a timeout and exports it with the time left; it
  // is cleared when the handler settles, and unref'd, so it never keeps the event loop from
  // emptying (the runtime answers a handler that never calls back only then).
  const left = remainingMs(context);
  const margin = timeoutMarginMs === false || left === undefined ? undefined : (timeoutMarginMs ?? Math.max(MIN_TIMEOUT_MARGIN_MS, Math.min(flushTimeoutMs, left * TIMEOUT_MARGIN_SHARE)));
  if (left !== undefined && margin !== undefined && left > margin) {
    timer = setTimeout(() => abandon(undefined, 'timeout', `the invocation was still running ${Math.round(margin)} ms before its deadline (timeoutMarginMs)`), Math.min(left - margin, MAX_TIMEOUT_MS));
    try {
      (timer as { unref?: () => void }).unref?.();
    } catch {
      // a runtime without unref: the timer still ends at the deadline
    }
  }
  // The event loop emptied with the handler's promise pending: the runtime answers without it
  // (Runtime.js _setDefaultExitListener), an async handler's invocation failed as
  // Runtime.NodeJsExit, another's answered null, and the promise is never waited for again.
  const emptied = (): void => {
    if (isAsync) return abandon(undefined, 'Runtime.NodeJsExit', 'the event loop emptied before the handler\'s promise settled');
    const status = shape.http ? resultStatus(null, shape.http.noStatus) : undefined;
    abandon(status, status !== undefined && status >= 500 ? String(status) : undefined);
  };
  // A streamed HTTP answer's status is in the prelude its stream carried: watched from the start.
  const prelude = streaming && shape.http ? watchPrelude(args[1]) : undefined;
  const call: LambdaCall = contextStorage().run({ scope, span, baggage }, () =>
    streaming ? { result: new Promise((resolve) => resolve(fn.apply(self, args))), viaCallback: false, drained: false, calledBack: false } : callLambda(fn, self, args, emptied, runtimeCallback !== undefined),
  );
  const settled = (async (): Promise<unknown> => {
    let status: number | undefined;
    let errType: string | undefined;
    try {
      const result = await call.result;
      if (shape.http && !abandoned) {
        try {
          // A streaming handler returns nothing: its status and headers are those it gave the stream.
          const answer = prelude ? prelude() : result;
          status = resultStatus(answer, streaming ? 200 : shape.http.noStatus);
          span.setAttribute('http.response.status_code', status);
          if (capture?.responseHeaders) {
            const out: Record<string, unknown> = {};
            captureHeaders(out, 'http.response.header.', resultHeaders(answer), capture.responseHeaders);
            span.setAttributes(out);
          }
          if (status >= 500) {
            span.setStatus(SpanStatus.ERROR);
            errType = String(status);
          }
        } catch {
          // A result that cannot be read (a getter that throws) is still the handler's answer: it
          // is returned as it is, and its span and point keep what was read.
          monitor.diag.drop('invalid_value', 'a Lambda result whose status or headers could not be read');
        }
      }
      return result;
    } catch (err) {
      if (!abandoned) {
        errType = errorType(err);
        failSpan(span, err);
      }
      throw err;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (abandoned) {
        // Answered after the invocation was recorded and exported without it (a timeout): no
        // second span or point; the answer waits for that export as long as for its own. What
        // ended since (its child spans, its logs) went to the monitor's buffer, which would leave
        // only with a later invocation's export, if the sandbox ever runs one: it leaves now.
        const since = monitor.flush();
        const wait = budget();
        if (wait > 0) await within(Promise.all([abandoned, since]), wait);
      } else {
        finish(status, errType);
        await awaitFlush(monitor, scope.close(), budget(), scope);
      }
    }
  })();
  if (!runtimeCallback) return settled;
  if (!call.viaCallback) {
    // A handler that returned a promise but called back first is answered by the callback, as
    // the runtime takes the first answer: with callbackWaitsForEmptyEventLoop only once the event
    // loop is empty, where the promise alone would be answered at once and freeze the work it left
    // running. The promise then settles too, an answer the runtime ignores.
    return settled.then(
      (value) => (call.calledBack && runtimeCallback(null, value), value),
      (err: unknown) => {
        if (call.calledBack) runtimeCallback(err);
        throw err;
      },
    );
  }
  // A handler that never called back was answered null by the runtime itself when the event loop
  // emptied: a callback now would reach the next invocation's state (BeforeExitListener.reset()).
  void settled.then(
    (value) => call.drained || runtimeCallback(null, value),
    (err: unknown) => runtimeCallback(err),
  );
  return undefined;
}

/** A handler's call: its outcome, and how it gives it. */
interface LambdaCall {
  readonly result: Promise<unknown>;
  /** It answers (or threw) as a callback-style handler: it returned no promise and no value. */
  readonly viaCallback: boolean;
  /** It never called back: `result` is the undefined of the event loop emptying. */
  readonly drained: boolean;
  /** Its callback gave `result`: it called back before its promise settled. */
  readonly calledBack: boolean;
}

/**
 * Calls a handler as the Lambda Node runtime does, `(event, context, callback)`: a returned
 * promise gives the result, otherwise the callback does. `fn.length` cannot tell the two styles
 * apart: a defaulted `callback = noop` or `...args` counts 0 or 2, and such a handler's result
 * would be lost and its span ended and flushed before the work is done.
 */
function callLambda(fn: AnyFunction, self: unknown, args: unknown[], emptied: () => void, byCallback: boolean): LambdaCall {
  const call = { result: undefined as unknown as Promise<unknown>, viaCallback: true, drained: false, calledBack: false };
  call.result = new Promise((resolve, reject) => {
    let settled = false;
    let waiting: (() => void) | undefined;
    const settle = (done: () => void): void => {
      settled = true;
      if (waiting) drainWaiters.delete(waiting);
      done();
    };
    const callback = (err: unknown, value?: unknown): void => {
      if (!settled) call.calledBack = true;
      // As the runtime's callback (CallbackContext): any error but null and undefined fails the
      // invocation, `callback('', x)`, `callback(0, x)` and `callback(false, x)` included.
      settle(() => (err !== null && err !== undefined ? reject(err) : resolve(value)));
    };
    let r: unknown;
    try {
      r = fn.call(self, args[0], args[1], callback);
    } catch (err) {
      // The runtime that passes a callback answers a synchronous throw with `callback(err)`
      // (Runtime.js handleOnce): a thrown null or undefined is a success with no result. Node 24's,
      // which passes none, fails it, as it fails a rejection of null.
      if (byCallback && (err === null || err === undefined)) callback(err);
      else settle(() => reject(err));
      return;
    }
    if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof (r as PromiseLike<unknown>).then === 'function') {
      call.viaCallback = false;
      (r as PromiseLike<unknown>).then((v) => settle(() => resolve(v)), (e: unknown) => settle(() => reject(e)));
      // Still pending when the event loop empties: the runtime answers without it. `result` stays
      // pending (the runtime would take a later settlement as a second answer); `emptied` records it.
      if (!settled) onDrain((waiting = emptied));
      return;
    }
    // A plain value from a handler that takes no callback is its result: the runtime itself
    // would drop it, but a synchronous `(event) => ({ statusCode: 200 })` is too easy to write.
    // A handler that declares a callback may return anything, a timer from
    // `(e, c, cb) => setTimeout(…)` for one.
    if (r !== undefined && fn.length < 3) {
      call.viaCallback = false;
      resolve(r);
      return;
    }
    // Never called back: the runtime answers null once the event loop is empty, and so does
    // this, so that the span still ends and its export is at least attempted.
    if (settled) return;
    waiting = () => settle(() => ((call.drained = true), resolve(undefined)));
    onDrain(waiting);
  });
  return call;
}

const drainWaiters = new Set<() => void>();
let drainHooked = false;

/** Runs `fn` on the process's `beforeExit` (Node: nothing is left to run); a no-op elsewhere. */
function onDrain(fn: () => void): void {
  if (!drainHooked) {
    try {
      const proc = (globalThis as unknown as { process?: { on?: (event: string, listener: () => void) => unknown } }).process;
      if (typeof proc?.on !== 'function') return;
      // One listener for every pending invocation, so concurrent ones never trip the max-listeners warning.
      proc.on('beforeExit', () => {
        const pending = [...drainWaiters];
        drainWaiters.clear();
        for (const waiter of pending) waiter();
      });
      drainHooked = true;
    } catch {
      // no process events: the callback is the only way out, as on the platform
      return;
    }
  }
  drainWaiters.add(fn);
}

/** @internal tests: the next invocation counts as a cold start again. */
export function resetColdStart(): void {
  coldStart = true;
  initAt = undefined;
}

/**
 * Whether `ignoreRequest` leaves out an HTTP event, shown to it as the Request the client sent
 * (scheme, Host, path, query, method and headers). An event no Request can be made of (a method
 * fetch forbids, a header value it refuses) is recorded.
 */
function ignoresEvent(monitor: Monitor, predicate: (request: Request) => boolean, shape: EventShape): boolean {
  let request: Request;
  try {
    const a = shape.attributes;
    const host = a['server.address'] ? `${a['server.address']}${a['server.port'] ? `:${a['server.port']}` : ''}` : 'localhost';
    const method = String(a['http.request.method_original'] ?? shape.http!.method);
    request = new Request(`${shape.http!.scheme}://${host}${a['url.path'] ?? '/'}${a['url.query'] ? `?${a['url.query']}` : ''}`, { method, headers: shape.headers });
  } catch {
    return false;
  }
  return isIgnored(monitor, predicate, request);
}
