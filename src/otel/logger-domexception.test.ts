import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

describe('a log record emitted through @opentelemetry/api-logs with a DOMException (an AbortError, a TimeoutError)', () => {
  it('is kept, with the exception attributes sdk-logs gives (its code as exception.type), though its name and message are getters', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const sdkLogger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('sdk');
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor, { logs });
    const bridge = logs.getLogger('bridge');
    const exception = new DOMException('This operation was aborted', 'AbortError');
    exception.stack = 'AbortError: This operation was aborted\n    at here';
    sdkLogger.emit({ body: 'aborted', exception });
    expect(() => bridge.emit({ body: 'aborted', exception })).not.toThrow();
    await monitor.flush();
    const pick = (a: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith('exception.')));
    expect(memory.logs).toHaveLength(1);
    expect(pick(memory.logs[0]!.attributes)).toEqual(pick(exporter.getFinishedLogRecords()[0]!.attributes));
    expect(memory.logs[0]!.attributes['exception.message']).toBe('This operation was aborted');
  });
});
