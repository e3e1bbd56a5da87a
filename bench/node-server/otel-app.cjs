// The same Node server under the OpenTelemetry JS SDK: @opentelemetry/instrumentation-http for the
// SERVER span and its metrics, AsyncLocalStorage context, a batch span processor, a metric reader
// and a log processor whose exporters drop everything (as the NoOp backend on our side), and the
// route's child span, two metric updates and log line through the API. CommonJS, so that
// instrumentation-http can patch `http` when it is required. Same protocol as app.ts.
const { context, metrics, trace } = require('@opentelemetry/api');
const { logs } = require('@opentelemetry/api-logs');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { MeterProvider, PeriodicExportingMetricReader, AggregationTemporality } = require('@opentelemetry/sdk-metrics');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

const ok = (_items, done) => done({ code: 0 });
const dropping = { export: ok, shutdown: async () => {}, forceFlush: async () => {} };
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] }));
const reader = new PeriodicExportingMetricReader({
  exporter: { ...dropping, selectAggregationTemporality: () => AggregationTemporality.DELTA },
  exportIntervalMillis: 10_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(meterProvider);
logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: dropping })] }));
registerInstrumentations({ meterProvider, instrumentations: [new HttpInstrumentation({ disableOutgoingRequestInstrumentation: true })] });

const http = require('http');
const tracer = trace.getTracer('bench');
const meter = metrics.getMeter('bench');
const logger = logs.getLogger('bench');
const orders = meter.createCounter('orders_total', { description: 'Orders placed' });
const size = meter.createHistogram('order_items', { description: 'Items per order', advice: { explicitBucketBoundaries: [1, 2, 5, 10, 20] } });

function body(url) {
  return JSON.stringify({ ok: true, path: new URL(url, 'http://x').pathname, items: [1, 2, 3] });
}

const server = http.createServer((req, res) => {
  const text = tracer.startActiveSpan('build body', (span) => {
    span.setAttribute('items', 3);
    const t = body(req.url || '/');
    span.end();
    return t;
  });
  orders.add(1, { status: 'ok' });
  size.record(3, { status: 'ok' });
  logger.emit({ severityNumber: 9, severityText: 'INFO', body: 'order placed', attributes: { items: 3 } });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(text);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
let from;
process.on('message', (m) => {
  if (m === 'start') from = process.cpuUsage();
  if (m === 'stop') {
    const used = process.cpuUsage(from);
    process.send({ cpu: used.user + used.system }, () => process.exit(0));
  }
});
