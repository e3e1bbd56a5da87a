import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../monitor.js';
import { MemoryBackend } from '../exporters/memory/memory-backend.js';

const quiet = { onDiagnostic: () => {} };

describe('configuration errors throw at construction, naming the option (DESIGN 5)', () => {
  it('contextStorage that is neither a ContextStorage nor an AsyncLocalStorage class throws, and later spans still work', () => {
    for (const bad of [{}, { run: () => 1 }, 'als', 1, null, () => {}, class {}]) {
      expect(() => createMonitor({ ...quiet, backends: [], contextStorage: bad as never })).toThrow(/`contextStorage` must be/);
    }
    const monitor = createMonitor({ ...quiet, backends: [new MemoryBackend()] });
    expect(() => monitor.tracer.startActiveSpan('x', (s) => s.end())).not.toThrow();
    expect(() => monitor.openScope().run(() => monitor.tracer.startSpan('y').end())).not.toThrow();
  });

  it('contextStorage accepts an AsyncLocalStorage class and a { run, get } object', () => {
    const plain = { kind: 'synchronous' as const, run: <R>(_v: unknown, fn: () => R): R => fn(), get: () => undefined };
    expect(() => createMonitor({ ...quiet, backends: [], contextStorage: plain })).not.toThrow();
    expect(() => createMonitor({ ...quiet, backends: [], contextStorage: AsyncLocalStorage as never })).not.toThrow();
    const monitor = createMonitor({ ...quiet, backends: [] });
    expect(monitor.tracer.startActiveSpan('x', (s) => { s.end(); return 1; })).toBe(1);
  });
});
