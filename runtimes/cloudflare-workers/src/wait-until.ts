import { contextStorage } from '../../../src/context/active.js';
import { settled } from '../../../src/scope/hold-wait-until.js';
import type { Scope } from '../../../src/scope/scope.js';
import type { DurableObjectState } from './types.js';

// Held as the Hono middleware holds it (src/scope/hold-wait-until.ts).
export { WAIT_UNTIL_TIMEOUT_MS, exportAndHold, holdWaitUntil } from '../../../src/scope/hold-wait-until.js';

/** The work handed to a Durable Object's `state.waitUntil`, by the invocation (its scope) current then; `ms`: how long its export waits. */
const byScope = new WeakMap<Scope, Promise<unknown>[] & { ms: number }>();

/**
 * holdWaitUntil for a Durable Object, whose one `state` (`this.ctx`) serves all its invocations,
 * concurrent ones too: `state` gets one `waitUntil` of its own for the object's lifetime. It
 * passes each promise to the runtime's as it is (a rejection stays the app's) and files it under
 * the invocation current then, its scope, which AsyncLocalStorage carries across `await` (without
 * it only the synchronous part of a handler is seen; what it hands over later is not waited for):
 * each invocation's export waits for its own work only ({@link heldBy}). Returns the runtime's
 * `waitUntil`, for the exports. `timeoutMs` 0, or a `state` that takes no property: nothing is held.
 */
export function holdByScope(state: DurableObjectState, timeoutMs: number): (promise: Promise<unknown>) => void {
  const wait = state?.waitUntil;
  const exportTo = (p: Promise<unknown>): void => wait.call(state, p);
  try {
    // A state without a waitUntil of its own (a hand-made test's) is left without one.
    if (timeoutMs > 0 && typeof wait === 'function') {
      state.waitUntil = (p) => {
        exportTo(p);
        const scope = contextStorage().get()?.scope;
        // Once its export has gone an invocation keeps nothing more (long-lived work that keeps handing over).
        if (scope && !scope.closed) byScope.get(scope)?.push(p) ?? byScope.set(scope, Object.assign([p], { ms: timeoutMs }));
      };
    }
  } catch {
    // a frozen `state`: left as it is
  }
  return exportTo;
}

/** What the export of the Durable Object invocation `scope` waits for (see holdByScope); `undefined`: nothing. */
export function heldBy(scope: Scope): Promise<void> | undefined {
  const list = byScope.get(scope);
  return list && settled(list, list.ms);
}
