import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from './index.js';

afterEach(() => {
  unregisterOpenTelemetry();
});

const systemError = (): Error => Object.assign(new Error("ENOENT: no such file or directory, open 'a.txt'"), { code: 'ENOENT', stack: 'Error: ENOENT\n    at here' });
const exceptions = (): Record<string, unknown> => ({
  'a Node system error': systemError(),
  'an object with a numeric code': { code: 42, message: 'm', stack: 's' },
  'an Error without a code': new TypeError('bad input'),
});

function exceptionAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => k.startsWith('exception.')));
}

describe('a log record emitted through @opentelemetry/api-logs with an exception', () => {
  it("takes exception.type from the error's code (ENOENT) before its name, as sdk-logs does and as API spans' recordException does", async () => {
    const exporter = new InMemoryLogRecordExporter();
    const sdkLogger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('sdk');
    const { monitor, memory } = createTestMonitor();
    registerOpenTelemetry(monitor, { logs });
    const bridge = logs.getLogger('bridge');
    for (const [body, exception] of Object.entries(exceptions())) {
      sdkLogger.emit({ body, exception });
      bridge.emit({ body, exception });
    }
    await monitor.flush();
    const sdk = Object.fromEntries(exporter.getFinishedLogRecords().map((r) => [r.body, exceptionAttributes(r.attributes)]));
    const ours = Object.fromEntries(memory.logs.map((r) => [r.body, exceptionAttributes(r.attributes)]));
    expect(sdk['a Node system error']).toMatchObject({ 'exception.type': 'ENOENT' });
    expect(ours).toEqual(sdk);
  });
});
