import { dbSpec, tracedCall, type BindingContext } from './binding-span.js';
import { methodProxy } from './bindings.js';

/**
 * Workers Analytics Engine: each `writeDataPoint` a CLIENT span `writeDataPoint {binding}` with
 * `db.system.name=cloudflare.analytics_engine`, timed in `db.client.operation.duration`. The
 * point's blobs, doubles and indexes are user data: only how many of each is recorded.
 */
export function instrumentAnalyticsEngine(bc: BindingContext, name: string, binding: object): object {
  return methodProxy(binding, (op, original) =>
    op === 'writeDataPoint'
      ? (...args) => {
          const counts: Record<string, number> = {};
          try {
            for (const k of ['blobs', 'doubles', 'indexes']) {
              const v = (args[0] as Record<string, unknown> | undefined)?.[k];
              if (Array.isArray(v)) counts[`cloudflare.analytics_engine.${k}`] = v.length;
            }
          } catch {
            // the point's getters are the app's: the runtime may not read them (miniflare's does not)
          }
          return tracedCall(bc, dbSpec('analytics_engine', 'cloudflare.analytics_engine', name, op, counts), () => original(...args));
        }
      : undefined,
    bc,
  );
}
