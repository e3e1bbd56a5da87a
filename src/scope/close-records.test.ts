import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { contextStorage } from '../context/active.js';

describe('telemetry recorded while a scope closes', () => {
  it('a log and a span written during close() (a collect callback, close() called inside run()) leave with a later export, not lost in the lists already taken', async () => {
    expect(contextStorage().kind).toBe('async-local-storage');
    const { monitor, memory } = createTestMonitor();
    let runs = 0;
    const off = monitor.metrics.addCollectCallback(() => {
      runs++;
      monitor.logger.warn('pool stats');
      monitor.tracer.startSpan('read pool').end();
    });
    const scope = monitor.openScope({ name: 'job' });
    await scope.run(async () => {
      monitor.logger.info('job done');
      await scope.close();
    });
    off();
    await monitor.flush();
    expect(runs).toBe(1);
    expect(memory.logs.map((l) => l.body)).toEqual(['job done', 'pool stats']);
    expect(memory.spans.map((s) => s.name)).toEqual(['read pool']);
    await monitor.shutdown();
  });

  it('close() called again from within its own export exports nothing twice', async () => {
    const { monitor, memory } = createTestMonitor();
    const scope = monitor.openScope();
    const off = monitor.metrics.addCollectCallback(() => void scope.close());
    scope.run(() => monitor.logger.info('once'));
    await scope.close();
    off();
    await monitor.flush();
    expect(memory.logs.map((l) => l.body)).toEqual(['once']);
    await monitor.shutdown();
  });
});
