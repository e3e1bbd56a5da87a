import { context } from '@opentelemetry/api';
import type { Backend } from '../model/batch.js';
import type { Monitor } from '../monitor.js';

/**
 * Runs each backend's `export` of `monitor` under `suppressTracing` (the context key core sets),
 * as the OpenTelemetry SDK runs its exporters. With the API registered, an HTTP client
 * instrumented through it (`@opentelemetry/instrumentation-undici`, `-http`) would otherwise
 * trace the export's own POST: that span goes out with the next export, which is traced in turn,
 * one span per export without end, even with no traffic. Retries and timers started inside the
 * export inherit the context. Returns the undo (for `unregisterOpenTelemetry()`).
 */
export function quietExports(monitor: Monitor, suppressKey: symbol): () => void {
  const undo: (() => void)[] = [];
  for (const b of monitor.backends) {
    const backend = b as Backend & { export: Backend['export'] };
    const original = backend.export;
    if (typeof original !== 'function') continue;
    const own = Object.prototype.hasOwnProperty.call(backend, 'export');
    const quiet: Backend['export'] = function (this: Backend, batch) {
      return context.with(context.active().setValue(suppressKey, true), original, this, batch);
    };
    try {
      backend.export = quiet;
    } catch {
      continue; // a frozen backend: its exports stay as they are
    }
    undo.push(() => {
      if (backend.export !== quiet) return; // replaced since by someone else: theirs stays
      if (own) backend.export = original;
      else delete (backend as { export?: unknown }).export;
    });
  }
  return () => {
    for (const f of undo) f();
  };
}
