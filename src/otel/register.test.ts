import { logs } from '@opentelemetry/api-logs';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/batch.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

describe('registerOpenTelemetry with a misspelt option', () => {
  it('registers nothing and reports the unknown key with the known ones (`log: logs` would leave api-logs unserved unseen), without throwing', () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const options = { log: logs } as unknown as Parameters<typeof registerOpenTelemetry>[1];
    expect(registerOpenTelemetry(monitor, options)).toBe(false);
    expect(seen.map((d) => d.message)).toEqual([
      'registerOpenTelemetry() failed: registerOpenTelemetry: unknown option `log`; known options are metrics, propagator, override, logs.',
    ]);
    // Nothing was set: a later, correct call registers.
    expect(registerOpenTelemetry(monitor, { logs })).toBe(true);
    expect(trace.getTracer('t').startSpan('s').isRecording()).toBe(true);
  });
});
