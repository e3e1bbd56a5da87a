import type { Monitor } from '../monitor.js';

// Set by the app, never at module load: a Worker must not do work in global scope.
let current: Monitor | undefined;

/**
 * Sets the monitor that `traced`, `metered` and their decorators use when they are not given
 * `options.monitor`. Looked up at each call, so functions wrapped at import time pick up a
 * monitor set later. Pass `undefined` to clear it (calls then run uninstrumented).
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ serviceName: 'orders' });
 * setDefaultMonitor(monitor);
 * ```
 */
export function setDefaultMonitor(monitor: Monitor | undefined): void {
  // Anything else (createTestMonitor()'s `{ monitor, memory }`) left every wrapped call bare without a word.
  const m: unknown = monitor;
  if (m !== undefined && (m === null || typeof m !== 'object' || typeof (m as Monitor).tracer !== 'object' || typeof (m as Monitor).metrics !== 'object')) {
    const hint = m !== null && typeof m === 'object' && 'monitor' in m ? '; createTestMonitor() returns { monitor, memory }: pass its `monitor`' : '';
    throw new TypeError(`setDefaultMonitor(monitor): pass a Monitor (from createMonitor()), or undefined to clear it${hint}.`);
  }
  current = monitor;
}

/** The monitor set by `setDefaultMonitor`, if any. */
export function getDefaultMonitor(): Monitor | undefined {
  return current;
}
