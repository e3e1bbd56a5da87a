/**
 * @module
 * Test helpers: the in-memory backend and a monitor preset that records everything.
 */
import { createMonitor, type Monitor } from '../monitor.js';
import type { MonitorOptions } from '../config/options.js';
import { MemoryBackend } from '../exporters/memory/memory-backend.js';

export { MemoryBackend, type RecordedSpan, type RecordedLog } from '../exporters/memory/memory-backend.js';
export { NoOpBackend } from '../exporters/noop/noop-backend.js';

/**
 * A monitor wired to a fresh `MemoryBackend`, for tests.
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
  const monitor = createMonitor({ serviceName: 'test', onDiagnostic: () => {}, ...options, backends: [memory, ...(options.backends ?? [])] });
  return { monitor, memory };
}
