import { describe, expect, it } from 'vitest';
import { createMonitor, MemoryBackend } from '../../src/index.js';

describe('options a user most likely got wrong throw at construction, saying what to change', () => {
  it('the same backend listed twice (each item would be exported twice: a collector sums the deltas to double)', () => {
    const memory = new MemoryBackend();
    expect(() => createMonitor({ serviceName: 'api', backends: [memory, new MemoryBackend(), memory] })).toThrow(
      'createMonitor: `backends[2]` is the same backend as `backends[0]`; list it once.',
    );
    // Two backends of one class are two backends.
    expect(() => createMonitor({ serviceName: 'api', backends: [new MemoryBackend(), new MemoryBackend()], onDiagnostic: () => {} })).not.toThrow();
  });

  it('a resource array mixing types (OpenTelemetry arrays are homogeneous; it went out mixed on the wire)', () => {
    expect(() => createMonitor({ serviceName: 'api', resource: { mix: [1, 'x', true] as never } })).toThrow(
      'createMonitor: `resource["mix"]` must be a string, number, boolean or an array of one of them (all of one type), got an array.',
    );
    // One type, with nulls, and integers beside fractions (one JavaScript type) are fine.
    expect(() => createMonitor({ serviceName: 'api', onDiagnostic: () => {}, resource: { a: ['x', null as never, 'y'], b: [1, 2.5], c: [] } })).not.toThrow();
  });
});

describe('startActiveSpan without a function', () => {
  it('throws a TypeError that says what to pass, before a span is started (none is left open)', async () => {
    const memory = new MemoryBackend();
    const monitor = createMonitor({ serviceName: 'api', backends: [memory], onDiagnostic: () => {} });
    expect(() => (monitor.tracer.startActiveSpan as (name: string) => unknown)('x')).toThrow(
      'startActiveSpan("x"): the last argument must be the function to run in the span, such as (span) => work().',
    );
    await monitor.flush();
    expect(memory.spans).toHaveLength(0);
    await monitor.shutdown();
  });
});
