import { contextStorage } from '../../../src/context/active.js';
import { errorType } from '../../../src/http/handle-request.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { nothingToExport, type Scope } from '../../../src/scope/scope.js';
import type { Span } from '../../../src/trace/span.js';
import { failSpan } from '../../../src/trace/tracer.js';
import { recordInvocation } from '../../../src/adapter/invocation-metrics.js';
import { now } from '../../../src/time.js';
import type { Isolate } from './isolate.js';
import { native } from './binding-span.js';
import type { WorkerTelemetry } from './telemetry.js';

export interface InvocationSpec {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Record<string, unknown>;
  /** Where the scope's export goes: `ctx.waitUntil` or a Durable Object's `state.waitUntil`. */
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** Called when `fn` is done: work the scope waits for before it closes (the handler's own `ctx.waitUntil` work). */
  readonly held?: (scope: Scope) => Promise<unknown> | undefined;
  /** Says whether `fn`'s exception is the runtime ending the invocation (a Workflow paused), no failure: the span is left without ERROR. */
  readonly aborted?: (err: unknown, span: Span) => boolean;
}

/**
 * Runs a non-HTTP invocation (scheduled run, queue batch, email, tail, Durable Object alarm or
 * RPC call) in its own scope with one span, ends the span when `fn` settles, records and
 * rethrows an exception unchanged, and hands the scope's export to `waitUntil`, to leave once the
 * work `held` returns has settled. A synchronous `fn` stays synchronous: its value (or throw) is
 * passed on as is.
 */
export function runInvocation<R>(isolate: Isolate, spec: InvocationSpec, fn: (telemetry: WorkerTelemetry) => R): R {
  const monitor = isolate.monitor;
  const scope = monitor.openScope({ name: spec.name });
  // One start and one end for the span and the invocation's `faas.invoke_duration` point.
  const start = now();
  const span = monitor.tracer.startSpan(spec.name, { kind: spec.kind ?? SpanKind.INTERNAL, parent: null, attributes: spec.attributes, scope, startTime: start });
  // No `scope.serverSpan`: that is the HTTP request's span, which the Hono middleware names by
  // route; an app.request() made here gets a request span of its own, a child of this one.
  const telemetry = isolate.enter(scope, span);
  const finish = (err?: unknown, failed?: boolean): void => {
    let errType: string | undefined;
    if (failed && !spec.aborted?.(err, span)) {
      failSpan(span, err);
      span.setAttribute('error.type', (errType = errorType(err)));
    }
    const end = now();
    // Every non-HTTP invocation gets a metric point too: a sampled-out span leaves its failure
    // rate and duration nowhere else. An RPC call's span has no trigger: `other`.
    recordInvocation(monitor, span, spec.attributes['faas.trigger'], start, end, errType);
    span.end(end);
    try {
      const work = spec.held?.(scope);
      const p = work ? work.then(() => scope.close()) : scope.close();
      if (p !== nothingToExport()) spec.waitUntil(p);
    } catch {
      // a waitUntil that throws must not change the invocation's outcome
    }
  };
  let result: R;
  try {
    result = contextStorage().run({ scope, span }, () => fn(telemetry));
  } catch (err) {
    finish(err, true);
    throw err;
  }
  if (typeof result === 'function') {
    // A Workers RPC promise (`return this.env.SVC.get(id)`, a call forwarded without `await`):
    // callable, and carrying the pipelined methods of its value, which a `.then()` chain would
    // lose; so it goes back as it is, its settlement watched on a branch of its own. Taken as a
    // plain value, the span ended at once, without ERROR when the call failed for the caller.
    try {
      const then = (result as { then?: unknown }).then;
      if (typeof then === 'function') {
        then.call(
          result,
          () => finish(),
          (err: unknown) => finish(err, true),
        );
        return result;
      }
    } catch {
      // a thenable the monitor cannot watch: the call is done now
    }
  } else if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return Promise.resolve(result).then(
      (v) => {
        finish();
        return native(v);
      },
      (err: unknown) => {
        finish(err, true);
        throw err;
      },
    ) as R;
  }
  finish();
  // An RPC method may return a binding of its env (a stub), which must cross RPC as the runtime's.
  return native(result);
}
