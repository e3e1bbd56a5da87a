/** Hand-built batches from the model types, covering every value type and shape the encoders handle. */
import type { TelemetryBatch } from '../../../src/model/batch.js';
import type { LogRecordData } from '../../../src/model/log-data.js';
import type { MetricsSnapshot } from '../../../src/model/metric-data.js';
import type { SpanData } from '../../../src/model/span-data.js';

/** Fractional epoch ms: exercises the exact ms → ns conversion (OTLP-J9). */
export const T0 = 1_700_000_000_123.4567;
export const T1 = T0 + 250.5;

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const ROOT_ID = '00f067aa0ba902b7';
export const CHILD_ID = 'b7ad6b7169203331';
export const REMOTE_PARENT = 'a3ce929d0e0e4736';
export const LINK_TRACE = '0af7651916cd43dd8448eb211c80319c';
export const LINK_SPAN = 'b9c7c989f97918e1';

export const resource = {
  attributes: {
    'service.name': 'checkout',
    'service.version': '1.2.3',
    'host.cores': 8,
    'deployment.weight': 0.25,
    'feature.enabled': true,
    'cloud.regions': ['eu-west-1', 'us-east-1'],
    'app.ports': [80, 443],
    'app.ratios': [0.5, 1.5],
    'app.flags': [true, false],
  },
};
export const scope = { name: '@lexigram/monitor', version: '0.1.0' };

const long300 = 'x'.repeat(300);
const long20k = 'é'.repeat(10_000); // 20 000 UTF-8 bytes: a 3-byte length varint

export function spans(): SpanData[] {
  return [
    {
      name: 'GET /checkout',
      kind: 2,
      traceId: TRACE_ID,
      spanId: ROOT_ID,
      traceFlags: 1,
      traceState: 'ot=th:0,vendor=abc',
      startTime: T0,
      endTime: T1,
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'app.negative': -42,
        'app.big': 2 ** 60,
        'app.double': 3.14159,
        'app.tiny': 1e-300,
        'app.bool': false,
        'app.empty': '',
        'app.long': long300,
        'app.huge': long20k,
        'app.strings': ['a', 'ü', ''],
        'app.ints': [1, -2, 3],
        'app.doubles': [0.1, 2.5],
        'app.bools': [false, true],
        'app.unicode': '日本語 🚀 emoji',
      },
      events: [
        { name: 'cache.miss', time: T0 + 10.000001, attributes: { key: 'user:1', size: 1024 }, droppedAttributesCount: 0 },
        { name: 'exception', time: T0 + 20, attributes: { 'exception.message': 'boom' }, droppedAttributesCount: 2 },
      ],
      links: [
        {
          traceId: LINK_TRACE,
          spanId: LINK_SPAN,
          traceFlags: 1,
          traceState: 'congo=t61rcWkgMzE',
          isRemote: true,
          attributes: { 'link.kind': 'follows' },
          droppedAttributesCount: 1,
        },
        { traceId: LINK_TRACE, spanId: ROOT_ID, traceFlags: 0, attributes: {}, droppedAttributesCount: 0 },
      ],
      status: { code: 1 },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    },
    {
      name: 'çå 🚀 charge',
      kind: 3,
      traceId: TRACE_ID,
      spanId: CHILD_ID,
      parentSpanId: REMOTE_PARENT,
      parentIsRemote: true,
      traceFlags: 1,
      startTime: T0 + 1,
      endTime: T0 + 2.5,
      attributes: { 'peer.service': 'stripe' },
      events: [],
      links: [],
      status: { code: 2, message: 'card declined' },
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
    },
    {
      name: 'bridged',
      kind: 1,
      traceId: TRACE_ID,
      spanId: 'c0ffee0000000001',
      parentSpanId: ROOT_ID,
      parentIsRemote: false,
      traceFlags: 0,
      startTime: T0 + 3,
      endTime: T0 + 4,
      attributes: {},
      events: [],
      links: [],
      status: { code: 0 },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      instrumentationScope: { name: 'otel-bridge', version: '2.0.0' },
    },
  ];
}

export function logs(): LogRecordData[] {
  return [
    {
      time: T0 + 5,
      severityNumber: 9,
      severityText: 'INFO',
      body: 'order placed ✓',
      attributes: {
        'order.id': 'A-1',
        count: 3,
        ratio: 0.75,
        nan: NaN,
        inf: -Infinity,
        ok: true,
        nothing: null,
        bytes: new Uint8Array([0, 1, 2, 250, 255]),
        nested: { user: { id: 7, tags: ['a', 'b'] }, empty: {} },
        mixed: ['s', 1, 2.5, false, null, { k: 'v' }, [1, [2]]],
      },
      droppedAttributesCount: 0,
      traceId: TRACE_ID,
      spanId: ROOT_ID,
      traceFlags: 1,
    },
    {
      time: T0 + 6,
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'payment failed: ' + 'z'.repeat(200),
      attributes: {},
      droppedAttributesCount: 2,
    },
    {
      time: T0 + 7,
      severityNumber: 5,
      severityText: 'DEBUG',
      body: '',
      attributes: { via: 'bridge' },
      droppedAttributesCount: 0,
      instrumentationScope: { name: 'otel-bridge', version: '2.0.0' },
    },
  ];
}

export function metrics(temporality: 'delta' | 'cumulative' = 'delta'): MetricsSnapshot {
  const start = temporality === 'delta' ? T0 : T0 - 3_600_000;
  const base = { startTime: start, time: T1 };
  return {
    temporality,
    time: T1,
    metrics: [
      {
        type: 'counter',
        name: 'http.server.requests',
        help: 'Requests served',
        unit: '{request}',
        temporality,
        points: [
          { ...base, attributes: { method: 'GET', status: '200' }, value: 10 },
          { ...base, attributes: { method: 'POST', status: '500' }, value: 2.5 },
        ],
      },
      { type: 'updowncounter', name: 'queue.depth', help: '', unit: '', temporality, points: [{ ...base, attributes: {}, value: -3 }] },
      { type: 'gauge', name: 'memory.used', help: 'Heap', unit: 'By', temporality, points: [{ ...base, attributes: { pool: 'heap' }, value: 123456789.5 }] },
      {
        type: 'histogram',
        name: 'http.server.duration',
        help: 'Latency',
        unit: 'ms',
        temporality,
        points: [
          {
            ...base,
            attributes: { route: '/checkout' },
            count: 6,
            sum: 181.5,
            min: 1.5,
            max: 120,
            bounds: [0, 5, 10, 25, 50, 75, 100],
            bucketCounts: [0, 2, 1, 1, 0, 0, 1, 1],
            exemplars: [
              { value: 120, time: T0 + 100, traceId: TRACE_ID, spanId: ROOT_ID },
              { value: 3, time: T0 + 101, traceId: LINK_TRACE, spanId: LINK_SPAN },
            ],
          },
          { ...base, attributes: { route: '/neg' }, count: 2, sum: -1, min: -3, max: 2, bounds: [0], bucketCounts: [1, 1] },
          { ...base, attributes: { route: '/empty' }, count: 0, sum: 0, min: Infinity, max: -Infinity, bounds: [1, 2], bucketCounts: [0, 0, 0] },
        ],
      },
      {
        type: 'summary',
        name: 'job.duration',
        help: 'Job time',
        unit: 's',
        temporality,
        points: [
          {
            ...base,
            attributes: { job: 'sync' },
            count: 4,
            sum: 10,
            quantiles: [
              { quantile: 0, value: 1 },
              { quantile: 0.5, value: 2 },
              { quantile: 0.99, value: 4 },
              { quantile: 1, value: NaN },
            ],
          },
        ],
      },
    ],
  };
}

export function batch(parts: { spans?: boolean; logs?: boolean; metrics?: boolean | 'delta' | 'cumulative' } = { spans: true, logs: true, metrics: true }): TelemetryBatch {
  return {
    resource,
    scope,
    spans: parts.spans ? spans() : [],
    logs: parts.logs ? logs() : [],
    metrics: parts.metrics ? metrics(parts.metrics === 'cumulative' ? 'cumulative' : 'delta') : undefined,
  };
}
