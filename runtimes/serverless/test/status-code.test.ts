/**
 * The status of an API Gateway or ALB result is a number or three digits of text (`'404'`); a
 * statusCode the gateway cannot answer with (NaN, which the runtime sends as `null`; 0; 200.5)
 * is recorded as a result without one is, never as a NaN status or a `null` metric label.
 */
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const context = { awsRequestId: 'r', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };
const restEvent = { resource: '/orders', path: '/orders', httpMethod: 'GET', headers: {}, requestContext: {} };

test('a REST API result whose statusCode is not an HTTP status is the 502 the gateway answers, on the span as on the request-duration point', async () => {
  const { monitor, memory } = createTestMonitor();
  const codes: unknown[] = [Number('oops'), 0, 200.5, 1e9, '404', 201];
  for (const statusCode of codes) await wrapFunction(async (_e: unknown, _c: unknown) => ({ statusCode, body: '' }), monitor)(restEvent, context);
  expect(memory.spans.map((s) => [s.attributes['http.response.status_code'], s.attributes['error.type']])).toEqual([
    [502, '502'],
    [502, '502'],
    [502, '502'],
    [502, '502'],
    [404, undefined],
    [201, undefined],
  ]);
  const points = monitor.metrics.collect().metrics.find((m) => m.name === 'http.server.request.duration')!.points;
  expect(points.map((p) => p.attributes['http.response.status_code']).sort()).toEqual([201, 404, 502]);
});
