/**
 * @module
 * Test helpers: the in-memory backend and a monitor preset that records everything.
 */
import { createMonitor, type Monitor } from '../monitor.js';
import type { MonitorOptions } from '../config/options.js';
import { MemoryBackend } from '../exporters/memory/memory-backend.js';

export { MemoryBackend, type MemoryBackendOptions, type RecordedSpan, type RecordedLog } from '../exporters/memory/memory-backend.js';
export { NoOpBackend } from '../exporters/noop/noop-backend.js';

/**
 * A monitor wired to a fresh `MemoryBackend`, for tests (and to the `backends` given, if any).
 * The service is named 'test' unless `serviceName` or `resource['service.name']` is given.
 *
 * Diagnostics are silenced, so test output stays clean: misuse (a bad label, a NaN, a limit
 * reached) prints no warning, though every drop is still counted in
 * `lexigram_monitor_dropped_total`. To see them (the first of each kind), pass your own
 * handler: `createTestMonitor({ onDiagnostic: (d) => console.warn(d.kind, d.message) })`, or
 * collect them to assert on: `{ onDiagnostic: (d) => seen.push(d) }`.
 *
 * @example
 * ```ts
 * const { monitor, memory } = createTestMonitor();
 * monitor.tracer.startSpan('x').end();
 * await monitor.flush();
 * expect(memory.spans).toHaveLength(1);
 * ```
 */
export function createTestMonitor(options: MonitorOptions = {}): { monitor: Monitor; memory: MemoryBackend } {
  const memory = new MemoryBackend();
  // 'test' only when no name is given: as a default serviceName it outranked resource['service.name'].
  const serviceName = options.serviceName ?? (options.resource?.['service.name'] === undefined ? 'test' : undefined);
  // `onDiagnostic: undefined` is no handler: set after the spread, it stays silent (before it, undefined won and printed).
  const monitor = createMonitor({ ...options, onDiagnostic: options.onDiagnostic ?? (() => {}), serviceName, backends: [memory, ...(options.backends ?? [])] });
  return { monitor, memory };
}
