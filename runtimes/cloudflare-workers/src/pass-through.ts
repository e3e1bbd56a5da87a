import { passedOn } from '../../../src/http/handle-request.js';
import { getRequestTelemetry } from './telemetry.js';

type Fn = ((this: object) => unknown) & { passedOn?: 1 };

/** A `passThroughOnException` that could not be wrapped (frozen): not tried again per request. */
let refused: unknown;

/**
 * Lets a request's span know its handler called `ctx.passThroughOnException()`: if the handler
 * then throws, the runtime sends the request on to the origin and this Worker sends no 500. The
 * method is wrapped once where it is defined (workerd: the prototype every `ctx` shares, so
 * nothing is added per request); the wrapper calls the runtime's with its own `this`.
 */
export function watchPassThrough(ctx: any): void {
  const f: Fn | undefined = ctx?.passThroughOnException;
  if (typeof f !== 'function' || f.passedOn || f === refused) return;
  const wrapper: Fn = function (this: object) {
    const t = getRequestTelemetry(this);
    if (t) passedOn.add(t.scope);
    return f.call(this);
  };
  wrapper.passedOn = 1;
  try {
    let holder = ctx;
    while (!Object.hasOwn(holder, 'passThroughOnException')) holder = Object.getPrototypeOf(holder);
    holder.passThroughOnException = wrapper;
  } catch {
    refused = f;
  }
}
