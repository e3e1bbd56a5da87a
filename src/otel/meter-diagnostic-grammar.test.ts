/** The bridge's diagnostics read as English: "an observable counter", "an object". */
import { metrics } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import type { Diagnostic } from '../index.js';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => unregisterOpenTelemetry());

it('an instrument whose name is not a string: "an observable counter", "its name is an object"', () => {
  const diagnostics: Diagnostic[] = [];
  const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(d) });
  expect(registerOpenTelemetry(monitor)).toBe(true);
  metrics.getMeter('lib').createObservableCounter({} as unknown as string);
  metrics.getMeter('lib').createHistogram(7 as unknown as string);
  const messages = diagnostics.filter((d) => d.kind === 'otel').map((d) => d.message);
  expect(messages).toEqual([
    'an observable counter from "lib" could not be created: its name is an object, not a string',
    'a histogram from "lib" could not be created: its name is a number, not a string',
  ]);
});
