import { passedOn } from '../../../src/http/handle-request.js';
import { getRequestTelemetry } from './telemetry.js';

type Fn = ((this: object) => unknown) & { passedOn?: 1 };

/** A `passThroughOnException` that could not be wrapped (frozen): not tried again per request. */
let refused: unknown;

/**
 * Lets a request's span know its handler called `ctx.passThroughOnException()`: if the handler
 * then throws, the runtime sends the request on to the origin and this Worker sends no 500. The
 * method is wrapped once where it is defined (workerd: the prototype every `ctx` shares, so
 * nothing is added per request); the wrapper calls the runtime's with its own `this`. The
 * function wrapped is the one defined there, not the one `ctx` gave: a `ctx` behind a Proxy that
 * binds a new copy per read (otel-cf-workers') would have a layer added per request, each
 * keeping its request's `ctx`.
 */
export function watchPassThrough(ctx: any): void {
  const g: Fn | undefined = ctx?.passThroughOnException;
  if (typeof g !== 'function' || g.passedOn || g === refused) return;
  try {
    let holder = ctx;
    let d: PropertyDescriptor | undefined;
    while (!(d = Object.getOwnPropertyDescriptor(holder, 'passThroughOnException'))) holder = Object.getPrototypeOf(holder);
    // A getter's value is not wrapped (the assignment would go to its setter, or throw).
    const f: Fn = d.value;
    if (typeof f !== 'function') throw 0;
    if (f.passedOn) return;
    const wrapper: Fn = function (this: object) {
      const t = getRequestTelemetry(this);
      if (t) passedOn.add(t.scope);
      return f.call(this);
    };
    wrapper.passedOn = 1;
    holder.passThroughOnException = wrapper;
  } catch {
    refused = g;
  }
}
