/**
 * registerOpenTelemetry that fails part-way leaves nothing of itself in @opentelemetry/api's
 * globals: a provider left behind without a registration holding it would make every later
 * call decline ("another SDK"), and unregisterOpenTelemetry() could not remove it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage, type Diagnostic } from '../../src/index.js';
import { registerOpenTelemetry, registeredMonitor, unregisterOpenTelemetry, type LogsApiLike } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

const GLOBAL = Symbol.for('opentelemetry.js.api.1');
const slots = () => {
  const r = (globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>)[GLOBAL];
  return ['trace', 'context', 'propagation', 'metrics'].filter((k) => r?.[k] !== undefined);
};

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
  for (const api of [trace, context, propagation, metrics]) api.disable();
});

describe('registerOpenTelemetry that fails part-way', () => {
  it('without a monitor: a TypeError that says what to pass, and no global provider left behind', () => {
    expect(() => registerOpenTelemetry(undefined as never)).toThrow(TypeError);
    expect(() => registerOpenTelemetry({} as never)).toThrow(/createMonitor/);
    expect(slots()).toEqual([]);
    const { monitor } = createTestMonitor();
    expect(registerOpenTelemetry(monitor)).toBe(true);
    expect(registeredMonitor()).toBe(monitor);
  });

  it('a `logs` whose setGlobalLoggerProvider throws: false, reported, and the providers set before it are removed again', () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const logs: LogsApiLike = {
      setGlobalLoggerProvider() {
        throw new Error('not this api-logs');
      },
      getLoggerProvider: () => undefined,
      disable() {},
    };
    expect(registerOpenTelemetry(monitor, { logs })).toBe(false);
    expect(seen.map((d) => d.message)).toEqual([expect.stringContaining('not this api-logs')]);
    expect(slots()).toEqual([]);
    expect(registeredMonitor()).toBeUndefined();
    // nothing of it is in the way of the next registration
    expect(registerOpenTelemetry(monitor)).toBe(true);
    expect(seen).toHaveLength(1);
  });
});
