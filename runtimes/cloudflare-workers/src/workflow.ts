import { SpanKind } from '../../../src/model/span-data.js';
import type { Span } from '../../../src/trace/span.js';
import type { Isolate } from './isolate.js';
import { fixed } from './binding-span.js';
import { busy, runIn } from './rpc.js';
import type { WorkerTelemetry } from './telemetry.js';
import type { ExecutionContext } from './types.js';

type AnyFn = (...args: unknown[]) => unknown;
type Step = Record<PropertyKey, any>;

/**
 * `class extends WorkflowEntrypoint`, instrumented as a WorkerEntrypoint (`Instrumented`, its
 * subclass), gets its `run()` there replaced: a SERVER span `${Class.name}.run` (the FaaS
 * conventions' incoming invocation; CONSUMER is for the messaging conventions' process span, and
 * Workflows is no messaging system), exported through `this.ctx.waitUntil`, and a `step` whose
 * `do` calls get child spans.
 */
export function wrapRun(Class: abstract new (...args: any[]) => object, Instrumented: any, isolate: (env: unknown) => Isolate): void {
  const run = Class.prototype.run as AnyFn | undefined;
  if (typeof run == 'function') {
    Instrumented.prototype.run = function (this: { ctx: ExecutionContext; env: unknown }, event: any, step: any) {
      const attributes: Record<string, unknown> = { 'faas.trigger': 'other', 'cloudflare.trigger': 'workflow' };
      // Only an id there is: an undefined value is counted as an invalid_attribute drop.
      if (event?.instanceId) attributes['cloudflare.workflow.instance_id'] = event.instanceId;
      // The instance serves this run alone: its export waits for the work run() hands to this.ctx.waitUntil.
      // Busy while it runs: the instance's own method calls open no RPC span (see busy()).
      // workerd's step is an RPC stub, a function to typeof.
      const ctx = this.ctx;
      const wait = ctx?.waitUntil;
      const r = busy(this, () => runIn(isolate(this.env), { name: `${Class.name}.run`, kind: SpanKind.SERVER, attributes, aborted }, ctx, (t) => run.call(this, event, Object(step) === step ? tracedStep(step, t) : step), true));
      // Kept alive until run() settles: the engine drops a run it terminates or restarts, and
      // workerd, with no waitUntil work left, ended the invocation before the step call run()
      // awaits could reject with the engine's abort; run() never settled, its spans were lost.
      try {
        wait.call(ctx, Promise.resolve(r).then(undefined, () => {}));
      } catch {
        // no ctx (a test's call): nothing to keep alive
      }
      return r;
    };
  }
}

/**
 * A run() that rejects with the engine's own abort (`Aborting engine: User called pause`, thrown
 * by the step call it awaits; the engine records no failure and the instance is paused, not
 * errored) is no failure: its span gets the message as `cloudflare.workflow.abort_reason`, no
 * ERROR, no exception. Never throws (an unreadable `message` is no abort).
 */
function aborted(err: unknown, span: Span): boolean {
  try {
    const m: string = (err as Error).message;
    if (m.startsWith('Aborting engine:')) return !!span.setAttribute('cloudflare.workflow.abort_reason', m);
  } catch {
    // no message to read: no abort
  }
  return false;
}

/**
 * The runtime's `step`, its `do` traced and `sleep`, `sleepUntil`, `waitForEvent` noted as
 * events `step.<method>` of the run span; everything else is the runtime's own, called with the
 * runtime's object as `this`.
 */
function tracedStep(step: Step, t: WorkerTelemetry): Step {
  let replays = 0;
  return new Proxy(step, {
    get(target, key) {
      const v = Reflect.get(target, key);
      // A frozen step's (a test's) read-only own methods come as they are (the Proxy throws
      // otherwise), counted as untraced; a frozen class instance's, from its prototype, are traced.
      if (typeof v != 'function' || fixed(target, key, t)) return v;
      // Not v.bind(): on workerd's step (an RPC stub) every property, `bind` and `apply` too, names a remote method.
      const call = (...args: unknown[]): any => Reflect.apply(v, target, args);
      if (key == 'do') return (...args: unknown[]) => stepDo(call, t, () => t.span.setAttribute('cloudflare.workflow.replayed_steps', ++replays), args);
      if (key == 'sleep' || key == 'sleepUntil' || key == 'waitForEvent') {
        return (name: unknown, arg: any, ...rest: unknown[]) => {
          const attributes: Record<string, unknown> = { 'cloudflare.workflow.step.name': name };
          // sleep: its duration; sleepUntil: the time (ms since the epoch); waitForEvent: the event type.
          const wait = arg instanceof Date ? +arg : (arg?.type ?? arg);
          if (wait !== undefined) attributes[`cloudflare.workflow.${key}`] = wait;
          t.span.addEvent(`step.${key}`, attributes);
          return call(name, arg, ...rest);
        };
      }
      return call;
    },
  });
}

/**
 * `step.do(name, [config], fn)`: a span `name` per attempt (each call of `fn`), a child of the run
 * span, its exception recorded; the runtime's retries are attempts of their own, as an HTTP
 * client's resends are, since one may come after a backoff in a later run(). A step the runtime
 * replays (done in an earlier run, its result returned from the cache without calling `fn`) gets
 * none: after each sleep a run replays every step before it; the run span counts them
 * (`cloudflare.workflow.replayed_steps`).
 */
function stepDo(call: (...args: unknown[]) => any, t: WorkerTelemetry, replayed: () => unknown, args: unknown[]): unknown {
  // As the engine reads them: the callback is the third argument when there is one, else the second.
  const i = args[2] ? 2 : 1;
  const fn = args[i] as AnyFn;
  if (typeof fn != 'function') return call(...args);
  const config = i > 1 ? (args[1] as any) : undefined;
  let ran = false;
  args[i] = function (this: unknown, ...a: any[]) {
    ran = true;
    const attributes: Record<string, unknown> = {};
    for (const k in config?.retries) attributes[`cloudflare.workflow.step.retries.${k}`] = config.retries[k];
    if (config?.timeout) attributes['cloudflare.workflow.step.timeout'] = config.timeout;
    if (a[0]?.attempt) attributes['cloudflare.workflow.step.attempt'] = a[0].attempt;
    return t.monitor.tracer.startActiveSpan(args[0] as string, { parent: t.span, scope: t.scope, attributes }, () => fn.apply(this, a));
  };
  return Promise.resolve(call(...args)).then((v) => {
    if (!ran) replayed();
    return v;
  });
}
