import type { EnvRecord } from '../../config/env.js';
import { runtimeAttributes } from '../../runtime.js';

interface HostGlobals {
  Deno?: { env?: { toObject(): Record<string, string> }; permissions?: { querySync?(d: { name: 'env' }): { state: string } } };
  process?: { env?: EnvRecord };
}

/**
 * The environment a monitor built by the middleware reads OTEL_* from. On Workers it is Hono's
 * `c.env` (the bindings). Without an adapter on Deno, Bun or Node, `c.env` is the server's
 * connection info (`deno serve`'s, Bun's server, @hono/node-server's `{ incoming, outgoing }`),
 * not the environment: there the process environment is read beneath it, so
 * `OTEL_EXPORTER_OTLP_ENDPOINT` switches the middleware to OTLP as it switches the adapters.
 * Deno's is read only with the env permission granted in full: asking would stop the app with a
 * prompt in a terminal, and a missing grant leaves the console backend (the adapter reads single
 * variables granted one by one).
 */
export function hostEnv(env: unknown): unknown {
  // Node, Deno or Bun as the resource tells them apart (runtime.ts, which knows workerd without a
  // global navigator too); anywhere else `c.env` is the environment.
  const runtime = runtimeAttributes()['process.runtime.name'];
  if (runtime === undefined) return env;
  const g = globalThis as HostGlobals;
  try {
    const deno = g.Deno;
    const host = runtime === 'deno' ? (deno?.permissions?.querySync?.({ name: 'env' }).state === 'granted' ? deno.env?.toObject() : undefined) : g.process?.env;
    // What the app passed to app.fetch / app.request as the env (a test's bindings) wins.
    if (host) return env !== null && typeof env === 'object' ? { ...host, ...env } : { ...host };
  } catch {
    // An environment that cannot be read is left out, as an ungranted one is.
  }
  return env;
}
