import { describe, expect, it, vi } from 'vitest';
import { createTestMonitor, MemoryBackend } from './index.js';
import type { Diagnostic } from '../model/batch.js';

async function serviceName(options: Parameters<typeof createTestMonitor>[0]): Promise<unknown> {
  const { monitor, memory } = createTestMonitor(options);
  monitor.tracer.startSpan('a').end();
  await monitor.flush();
  return memory.resource?.attributes['service.name'];
}

describe('createTestMonitor', () => {
  it('records spans, logs and metrics into its MemoryBackend, and into backends given as well', async () => {
    const extra = new MemoryBackend();
    const { monitor, memory } = createTestMonitor({ backends: [extra] });
    monitor.metrics.createCounter('c_total', 'c').increment(2);
    monitor.tracer.startSpan('work', { attributes: { k: 'v' } }).end();
    monitor.logger.info('hello');
    await monitor.flush();
    expect(memory.findSpan('work')?.attributes).toEqual({ k: 'v' });
    expect(memory.logs.map((l) => l.body)).toEqual(['hello']);
    expect((memory.getMetric('c_total')?.points[0] as { value: number }).value).toBe(2);
    expect(extra.spans).toHaveLength(1);
  });

  it("names the service 'test' unless serviceName or resource['service.name'] is given", async () => {
    expect(await serviceName(undefined)).toBe('test');
    expect(await serviceName({ serviceName: 'api' })).toBe('api');
    // The default serviceName took precedence over a service.name given in resource.
    expect(await serviceName({ resource: { 'service.name': 'checkout' } })).toBe('checkout');
  });

  it('is silent by default, and passes diagnostics to a handler given', async () => {
    const seen: Diagnostic[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    monitor.metrics.createCounter('c_total', 'c').increment(-1);
    expect(seen.map((d) => d.kind)).toEqual(['negative_increment']);
  });

  it('stays silent when onDiagnostic is given as undefined (a spread of options without one)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { monitor } = createTestMonitor({ onDiagnostic: undefined });
      monitor.metrics.createCounter('c_total', 'c').increment(Number.NaN);
      monitor.logger.info('x', 42 as never);
      expect([...warn.mock.calls, ...error.mock.calls]).toEqual([]);
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});
