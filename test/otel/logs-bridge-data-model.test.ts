/**
 * A record of the OpenTelemetry Logs API, as a collector receives it from the bridge over OTLP
 * (protobuf decoded by protobufjs from the official .proto files, and JSON): the logs data model's
 * Body is any AnyValue ("MUST support any type to preserve the semantics of structured logs"),
 * EventName is its own field (the `event.name` attribute is deprecated for it), and
 * ObservedTimestamp is kept apart from Timestamp (each, when not given, the emit time, as in sdk-logs).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { ConsoleBackend } from '../../src/exporters/console/console-backend.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { createMonitor, setContextStorage } from '../../src/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { decodeProto } from '../otlp/helpers/proto-decoder.js';

const T0 = 1_700_000_000_123;
const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;

beforeAll(() => setContextStorage(AsyncLocalStorage));
afterEach(() => {
  unregisterOpenTelemetry();
  logs.disable();
});

/** The log records one emit sequence reaches the collector with, over `protocol`. */
async function received(protocol: 'http/protobuf' | 'http/json'): Promise<any[]> {
  const bodies: Uint8Array[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => (bodies.push(init!.body as Uint8Array), new Response(null, { status: 200 }));
  const monitor = createMonitor({ serviceName: 'api', onDiagnostic: () => {}, backends: [new OtlpBackend({ endpoint: 'http://collector:4318', protocol, fetch })] });
  registerOpenTelemetry(monitor, { logs, metrics: false });
  const logger = logs.getLogger('app');
  logger.emit({
    eventName: 'user.login',
    severityNumber: SeverityNumber.INFO,
    timestamp: T0,
    observedTimestamp: T0 + 5,
    body: { user: 'ann', n: 1, nested: { ok: true }, password: 'hunter2' },
    attributes: { method: 'sso' },
  });
  logger.emit({ body: 42, timestamp: T0 });
  logger.emit({ body: ['a', false] });
  logger.emit({ body: 'plain', timestamp: T0, observedTimestamp: T0 });
  await monitor.shutdown();
  unregisterOpenTelemetry();
  const body = bodies.at(-1)!;
  const decoded = protocol === 'http/protobuf' ? decodeProto('logs', body) : JSON.parse(new TextDecoder().decode(body));
  return decoded.resourceLogs[0].scopeLogs[0].logRecords;
}

for (const protocol of ['http/protobuf', 'http/json'] as const) {
  it(`${protocol}: a structured body stays structured (secret keys redacted), eventName is the record's field, observedTimestamp is kept`, async () => {
    const [event, number, list, plain] = await received(protocol);
    expect(event.body).toEqual({
      kvlistValue: {
        values: [
          { key: 'user', value: { stringValue: 'ann' } },
          { key: 'n', value: { intValue: '1' } },
          { key: 'nested', value: { kvlistValue: { values: [{ key: 'ok', value: { boolValue: true } }] } } },
          { key: 'password', value: { stringValue: '[REDACTED]' } },
        ],
      },
    });
    expect([event.eventName, event.timeUnixNano, event.observedTimeUnixNano]).toEqual(['user.login', ns(T0), ns(T0 + 5)]);
    expect(event.attributes).toEqual([{ key: 'method', value: { stringValue: 'sso' } }]);
    expect(number.body).toEqual({ intValue: '42' });
    // A timestamp given, no observedTimestamp: observed at emit(), after it.
    expect(BigInt(number.observedTimeUnixNano)).toBeGreaterThan(BigInt(number.timeUnixNano));
    expect(number.eventName).toBeUndefined();
    expect(list.body).toEqual({ arrayValue: { values: [{ stringValue: 'a' }, { boolValue: false }] } });
    expect([plain.body, plain.timeUnixNano, plain.observedTimeUnixNano]).toEqual([{ stringValue: 'plain' }, ns(T0), ns(T0)]);
  });
}

it('a structured body counts in the buffer estimate as deep as it is kept (limits.maxBufferedBytes holds)', () => {
  const { monitor } = createTestMonitor({ exportDelayMs: 60_000, limits: { maxBufferedBytes: 200_000 } });
  registerOpenTelemetry(monitor, { logs, metrics: false });
  const leaf = () => Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${k}`, String(k).repeat(4000)]));
  for (let i = 0; i < 50; i++) logs.getLogger('app').emit({ body: { a: { b: leaf() } } });
  const internals = monitor as unknown as { pendingLogs: unknown[]; pendingBytes: number };
  // Each body holds 10 strings of 4000 UTF-16 characters: 80,000 bytes at least.
  expect(internals.pendingLogs.length * 80_000).toBeLessThanOrEqual(200_000);
  expect(internals.pendingBytes).toBeGreaterThanOrEqual(internals.pendingLogs.length * 80_000);
});

it('a BigInt body is kept as an attribute keeps a BigInt, at the top level as nested: an int while it is a safe integer, else its digits', async () => {
  const { monitor, memory } = createTestMonitor();
  registerOpenTelemetry(monitor, { logs, metrics: false });
  const logger = logs.getLogger('app');
  // The API's AnyValue has no BigInt; JavaScript callers pass one all the same.
  for (const body of [10n, { n: 10n }, 2n ** 64n, { n: 2n ** 64n }]) logger.emit({ body: body as never });
  monitor.tracer.startSpan('s', { attributes: { small: 10n, big: 2n ** 64n } }).end();
  await monitor.flush();
  expect(memory.logs.map((l) => l.body)).toEqual([10, { n: 10 }, '18446744073709551616', { n: '18446744073709551616' }]);
  expect([memory.spans[0]!.attributes.small, memory.spans[0]!.attributes.big]).toEqual([10, '18446744073709551616']);
});

it('the console backend prints a bytes body as hex, at the top level as nested', async () => {
  const lines: string[] = [];
  const monitor = createMonitor({ onDiagnostic: () => {}, backends: [new ConsoleBackend({ write: (l) => lines.push(l), metrics: false })] });
  registerOpenTelemetry(monitor, { logs, metrics: false });
  logs.getLogger('app').emit({ body: new Uint8Array([1, 2, 255]) });
  logs.getLogger('app').emit({ body: { frame: new Uint8Array([0, 16]), n: 1 } });
  await monitor.flush();
  expect(lines).toEqual(['[log]  "0x0102ff"', '[log]  {"frame":"0x0010","n":1}']);
});

it("the console backend prints a Node Buffer body as hex too, not Buffer's toJSON", async () => {
  const lines: string[] = [];
  const monitor = createMonitor({ onDiagnostic: () => {}, backends: [new ConsoleBackend({ write: (l) => lines.push(l), metrics: false })] });
  registerOpenTelemetry(monitor, { logs, metrics: false });
  // A Buffer is a Uint8Array whose toJSON() JSON.stringify calls before any replacer sees it.
  logs.getLogger('app').emit({ body: Buffer.from([1, 2, 255]) });
  logs.getLogger('app').emit({ body: { frame: Buffer.from([0, 16]), list: [Buffer.from([171])] } });
  await monitor.flush();
  expect(lines).toEqual(['[log]  "0x0102ff"', '[log]  {"frame":"0x0010","list":["0xab"]}']);
});
