/**
 * A `monitor.logger` record written where the active span has an invalid (all-zero) context, as
 * `@opentelemetry/api`'s INVALID_SPAN_CONTEXT made active by instrumentation: no trace, so no ids
 * (OTLP: an all-zero id is invalid), as a Logs API record in the same context has none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBackend } from '../../src/exporters/console/console-backend.js';
import { setContextStorage } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

beforeAll(() => setContextStorage(AsyncLocalStorage));
afterEach(() => {
  unregisterOpenTelemetry();
  logs.disable();
});

describe('monitor.logger inside an invalid span context', () => {
  it('records no trace or span id (not zeros), as the Logs API bridge does; a valid one still correlates', async () => {
    const lines: string[] = [];
    const { monitor, memory } = createTestMonitor({ backends: [new ConsoleBackend({ write: (l) => lines.push(l), metrics: false })] });
    registerOpenTelemetry(monitor, { logs });
    const invalid = trace.setSpanContext(context.active(), INVALID_SPAN_CONTEXT);
    context.with(invalid, () => {
      monitor.logger.info('ours');
      logs.getLogger('x').emit({ body: 'api' });
    });
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    context.with(trace.setSpanContext(context.active(), remote), () => monitor.logger.info('remote'));
    await monitor.flush();
    const ids = memory.logs.map((l) => [l.body, l.traceId, l.spanId]);
    expect(ids).toEqual([
      ['ours', undefined, undefined],
      ['api', undefined, undefined],
      ['remote', remote.traceId, remote.spanId],
    ]);
    expect(lines.filter((l) => l.includes('trace=0000'))).toEqual([]);
  });
});
