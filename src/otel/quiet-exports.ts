import { context } from '@opentelemetry/api';
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
  // The monitor calls every backend's export through this; the backends themselves are untouched.
  const quiet = <T>(fn: () => T): T => context.with(context.active().setValue(suppressKey, true), fn);
  monitor.exportContext = quiet;
  return () => {
    if (monitor.exportContext === quiet) monitor.exportContext = undefined;
  };
}
