/**
 * Logs differential test: each scenario uses only `@opentelemetry/api` and
 * `@opentelemetry/api-logs`, once with the SDK (sdk-logs LoggerProvider + SimpleLogRecordProcessor
 * + InMemoryLogRecordExporter, sdk-trace-base for the spans, AsyncLocalStorageContextManager) as
 * the global providers and once with the bridge (`registerOpenTelemetry(monitor, { logs })`).
 * Both outputs are normalised (ids become names, times near now become 'now') and must be equal,
 * apart from the accepted differences listed in ACCEPTED.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, trace, type HrTime } from '@opentelemetry/api';
import { logs, SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setContextStorage, type Backend, type LogRecordData } from '../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../src/otel/index.js';
import { createTestMonitor } from '../../src/testing/index.js';

type Notes = Record<string, unknown>;
type Scenario = (note: (key: string, value: unknown) => void) => void | Promise<void>;

const T0 = 1_700_000_000_000; // an explicit epoch time, far from now
const REMOTE_TRACE = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN = 'b7ad6b7169203331';
const logger = (): Logger => logs.getLogger('diff', '1.0.0');
const remote = trace.wrapSpanContext({ traceId: REMOTE_TRACE, spanId: REMOTE_SPAN, traceFlags: 1, isRemote: true });

const scenarios: Record<string, Scenario> = {
  'severity numbers and texts': () => {
    for (const n of [1, 4, 5, 9, 12, 13, 17, 21, 24]) logger().emit({ severityNumber: n, severityText: `S${n}`, body: `n${n}` });
    logger().emit({ body: 'no severity' });
    logger().emit({ severityNumber: SeverityNumber.WARN, body: 'no text' });
    logger().emit({ severityText: 'CUSTOM', body: 'text only' });
  },
  'string bodies and none': () => {
    logger().emit({ body: 'plain' });
    logger().emit({ body: '' });
    logger().emit({ body: 'ünïcödé ✓ 🎉' });
    logger().emit({ severityNumber: SeverityNumber.INFO });
  },
  'AnyValue bodies': () => {
    logger().emit({ body: 42 });
    logger().emit({ body: true });
    logger().emit({ body: { user: 'ann', n: 1, nested: { ok: true } } });
    logger().emit({ body: ['a', 1, false] });
  },
  'attributes of every AnyValue kind': () => {
    logger().emit({
      body: 'attrs',
      attributes: { s: 'x', i: 7, f: 1.5, b: false, arr: [1, 2, 3], strs: ['a', 'b'], map: { k: 'v', deep: { n: 1 } }, bytes: new Uint8Array([1, 2, 3]) },
    });
  },
  'null and undefined attribute values': () => {
    logger().emit({ body: 'holes', attributes: { keep: 'x', u: undefined } });
  },
  'trace ids of the active span': () => {
    trace.getTracer('t').startActiveSpan('outer', (outer) => {
      logger().emit({ body: 'in outer' });
      trace.getTracer('t').startActiveSpan('inner', (inner) => {
        logger().emit({ body: 'in inner' });
        inner.end();
      });
      outer.end();
    });
    logger().emit({ body: 'outside' });
  },
  'trace ids of the context given': () => {
    const other = trace.getTracer('t').startSpan('other');
    trace.getTracer('t').startActiveSpan('outer', (outer) => {
      logger().emit({ body: 'given other', context: trace.setSpan(context.active(), other) });
      logger().emit({ body: 'given remote', context: trace.setSpan(ROOT_CONTEXT, remote) });
      logger().emit({ body: 'given root', context: ROOT_CONTEXT });
      outer.end();
    });
    other.end();
  },
  'instrumentation scopes': () => {
    logs.getLogger('a').emit({ body: 'name only' });
    logs.getLogger('b', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' }).emit({ body: 'with schema' });
    logs.getLogger('').emit({ body: 'empty name' });
  },
  'timestamps: number, Date, HrTime, observed only, none': () => {
    logger().emit({ body: 'number', timestamp: T0 });
    logger().emit({ body: 'date', timestamp: new Date(T0 + 1) });
    logger().emit({ body: 'hrtime', timestamp: [T0 / 1000 + 2, 500_000] as HrTime });
    logger().emit({ body: 'observed', observedTimestamp: T0 + 3 });
    logger().emit({ body: 'none' });
  },
  'eventName': () => {
    logger().emit({ eventName: 'user.login', body: 'ev', attributes: { who: 'ann' } });
  },
  'exception: an Error, a text, an object': () => {
    const err = new TypeError('bad input');
    err.stack = 'TypeError: bad input\n    at here';
    logger().emit({ body: 'error', severityNumber: SeverityNumber.ERROR, exception: err, attributes: { k: 1 } });
    logger().emit({ body: 'text', exception: 'it broke' });
    logger().emit({ body: 'object', exception: { name: 'E', message: 'm', stack: 's' } });
  },
  'secret-looking keys': () => {
    logger().emit({ body: 'login', attributes: { password: 'hunter2', 'http.request.header.authorization': 'Bearer x', user: 'ann' } });
  },
  'limits: many attributes, long values': () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 130; i++) attributes[`k${i}`] = 'v';
    logger().emit({ body: 'many', attributes });
    logger().emit({ body: 'long', attributes: { long: 'x'.repeat(5000) } });
  },
  'enabled()': (note) => {
    note('no options', logger().enabled());
    note('trace', logger().enabled({ severityNumber: SeverityNumber.TRACE }));
    note('fatal', logger().enabled({ severityNumber: SeverityNumber.FATAL }));
  },
};

/** One record as both sides are compared: ids by first appearance, times 'now' or epoch ms. */
interface Row {
  body: unknown;
  severityNumber: number;
  severityText: string;
  attributes: Record<string, unknown>;
  dropped: number;
  trace?: string;
  span?: string;
  flags?: number;
  scope: Record<string, unknown>;
  time: number | 'now';
  observed: number | 'now';
  eventName?: string;
}

function normalise(rows: Row[], notes: Notes) {
  const names = new Map<string, string>([[REMOTE_TRACE, 'remote-trace'], [REMOTE_SPAN, 'remote-span']]);
  const id = (v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!names.has(v)) names.set(v, `id${names.size - 1}`);
    return names.get(v);
  };
  return {
    records: rows.map((r) => {
      const out: Row = { ...r, trace: id(r.trace), span: id(r.span) };
      for (const k of ['trace', 'span', 'flags', 'eventName'] as const) if (out[k] === undefined) delete out[k];
      return out;
    }),
    notes,
  };
}

const when = (ms: number): number | 'now' => (Math.abs(ms - Date.now()) < 60_000 ? 'now' : Math.round(ms));
const hrMs = (t: HrTime) => t[0] * 1000 + t[1] / 1e6;
const clean = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

function fromSdk(r: ReadableLogRecord): Row {
  return {
    body: r.body,
    severityNumber: r.severityNumber ?? 0,
    severityText: r.severityText ?? '',
    attributes: { ...r.attributes },
    dropped: r.droppedAttributesCount,
    trace: r.spanContext?.traceId,
    span: r.spanContext?.spanId,
    flags: r.spanContext?.traceFlags,
    scope: clean(r.instrumentationScope),
    time: when(hrMs(r.hrTime)),
    observed: when(hrMs(r.hrTimeObserved)),
    eventName: r.eventName,
  };
}

function fromBridge(r: LogRecordData): Row {
  return {
    body: r.body,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    attributes: { ...r.attributes },
    dropped: r.droppedAttributesCount,
    trace: r.traceId,
    span: r.spanId,
    flags: r.traceFlags,
    scope: clean(r.instrumentationScope ?? {}),
    time: when(r.time),
    // Exported as the observed time: `observedTime`, else the record's time.
    observed: when(r.observedTime ?? r.time),
    eventName: r.eventName,
  };
}

async function run(scenario: Scenario): Promise<Notes> {
  const notes: Notes = {};
  await scenario((k, v) => (notes[k] = JSON.parse(JSON.stringify(v ?? null))));
  return notes;
}

async function withSdk(scenario: Scenario) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const cm = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(cm);
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  logs.setGlobalLoggerProvider(provider);
  try {
    const notes = await run(scenario);
    await provider.forceFlush();
    return normalise(exporter.getFinishedLogRecords().map(fromSdk), notes);
  } finally {
    logs.disable();
    trace.disable();
    context.disable();
    cm.disable();
  }
}

async function withBridge(scenario: Scenario) {
  // the records exactly as exporters get them (MemoryBackend records a reshaped copy)
  const records: LogRecordData[] = [];
  const backend: Backend = {
    name: 'raw',
    export: async (b) => (records.push(...b.logs), { ok: true }),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const { monitor } = createTestMonitor({ backends: [backend], logging: { level: 'trace' } });
  expect(registerOpenTelemetry(monitor, { metrics: false, logs })).toBe(true);
  try {
    const notes = await run(scenario);
    await monitor.flush();
    return normalise(records.map(fromBridge), notes);
  } finally {
    unregisterOpenTelemetry();
    await monitor.shutdown();
  }
}

/**
 * Differences that are deliberate (README "OpenTelemetry interop" and "Redaction"), applied to
 * the SDK's output before the comparison. Keyed by scenario name; each names its reason.
 */
type Out = ReturnType<typeof normalise>;
const rec = (o: Out, body: unknown) => o.records.find((r) => JSON.stringify(r.body) === JSON.stringify(body))!;
const ACCEPTED: Record<string, (sdk: Out) => void> = {
  'null and undefined attribute values': (sdk) => {
    // The SDK keeps an undefined value (it is not exported); the monitor leaves it out.
    delete rec(sdk, 'holes').attributes.u;
  },
  'instrumentation scopes': (sdk) => {
    // An empty name: sdk-logs makes it 'unknown'; the monitor keeps '' as the API spec asks, as
    // its tracers do.
    rec(sdk, 'empty name').scope = {};
  },
  'exception: an Error, a text, an object': (sdk) => {
    // A text or an object without a name is exception.type 'Error' (the SDK leaves the type out).
    rec(sdk, 'text').attributes = { 'exception.type': 'Error', 'exception.message': 'it broke' };
  },
  'secret-looking keys': (sdk) => {
    // README "Redaction": secret-looking keys are redacted on records through the API too.
    Object.assign(rec(sdk, 'login').attributes, { password: '[REDACTED]', 'http.request.header.authorization': '[REDACTED]' });
  },
  'limits: many attributes, long values': (sdk) => {
    // The SDK's log attribute values have no length limit by default; the monitor's
    // logAttributeValueLengthLimit (default 4096) applies to API records as to its own.
    rec(sdk, 'long').attributes.long = 'x'.repeat(4096);
  },
};

beforeAll(() => {
  setContextStorage(AsyncLocalStorage);
});

afterEach(() => {
  unregisterOpenTelemetry();
});

describe('@opentelemetry/api-logs through the bridge matches sdk-logs', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const sdk = await withSdk(scenario);
      const bridge = await withBridge(scenario);
      ACCEPTED[name]?.(sdk);
      expect(bridge).toEqual(sdk);
    });
  }
});
