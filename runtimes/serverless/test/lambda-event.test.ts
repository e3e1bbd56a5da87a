import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { traceRecord, wrapFunction } from '../index.js';
import { eventShape } from '../src/lambda-event.js';

const elb = { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/1' } };

describe('eventShape: url.query of REST API and ALB events', () => {
  test('a REST API event keeps every value of a repeated parameter (the multi-value form), its decoded values encoded once', () => {
    const shape = eventShape(
      { httpMethod: 'GET', path: '/s', headers: {}, queryStringParameters: { tag: 'b', q: 'a b' }, multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['a b'] } },
      'fn',
    );
    expect(shape.attributes['url.query']).toBe('tag=a&tag=b&q=a%20b');
  });

  test('an ALB passes values as the client sent them: they are not encoded again', () => {
    const shape = eventShape({ httpMethod: 'GET', path: '/s', headers: {}, requestContext: elb, queryStringParameters: { q: 'a%20b', next: '%2Fhome' } }, 'fn');
    expect(shape.attributes['url.query']).toBe('q=a%20b&next=%2Fhome');
  });

  test('an ALB with multi-value headers sends only multiValueQueryStringParameters: the query is still recorded', () => {
    const shape = eventShape({ httpMethod: 'GET', path: '/s', multiValueHeaders: {}, requestContext: elb, multiValueQueryStringParameters: { tag: ['a', 'b'] } }, 'fn');
    expect(shape.attributes['url.query']).toBe('tag=a&tag=b');
  });

  test('an empty query leaves url.query out', () => {
    expect(eventShape({ httpMethod: 'GET', path: '/s', queryStringParameters: null, multiValueQueryStringParameters: null }, 'fn').attributes).not.toHaveProperty('url.query');
  });
});

describe('eventShape: server.address and server.port (HTTP semantic conventions)', () => {
  test('a Host with a port (an ALB listener on 8080) gives the name as server.address and the port as server.port', () => {
    const at = (host: string) => eventShape({ httpMethod: 'GET', path: '/s', headers: { host }, requestContext: elb }, 'fn').attributes;
    expect([at('lb.example.com:8080')['server.address'], at('lb.example.com:8080')['server.port']]).toEqual(['lb.example.com', 8080]);
    expect([at('[::1]:8443')['server.address'], at('[::1]:8443')['server.port']]).toEqual(['[::1]', 8443]);
    expect(at('api.example.com')).toMatchObject({ 'server.address': 'api.example.com' });
    expect(at('api.example.com')).not.toHaveProperty('server.port');
  });
});

describe('eventShape: methods outside the HTTP set (HTTP semantic conventions)', () => {
  test('an unknown method is _OTHER with http.request.method_original, and the span is named HTTP, not _OTHER', () => {
    const v1 = eventShape({ httpMethod: 'PURGE', path: '/c', resource: '/c', headers: {} }, 'fn');
    expect([v1.name, v1.attributes['http.request.method'], v1.attributes['http.request.method_original']]).toEqual(['HTTP /c', '_OTHER', 'PURGE']);
    const v2 = eventShape({ version: '2.0', routeKey: '$default', rawPath: '/c', headers: {}, requestContext: { http: { method: 'PURGE' } } }, 'fn');
    expect([v2.name, v2.attributes['http.request.method_original']]).toEqual(['HTTP', 'PURGE']);
    // Normalized by case: still set, as the conventions ask whenever the two differ (and instrument() does).
    const get = eventShape({ httpMethod: 'get', path: '/c', headers: {} }, 'fn');
    expect([get.name, get.attributes['http.request.method'], get.attributes['http.request.method_original']]).toEqual(['GET', 'GET', 'get']);
    expect(eventShape({ httpMethod: 'GET', path: '/c', headers: {} }, 'fn').attributes).not.toHaveProperty('http.request.method_original');
  });
});

describe('eventShape: queue and topic events (messaging semantic conventions)', () => {
  test('SQS, SNS and Kinesis batches: messaging.system as the conventions spell it, operation type process, the destination from the ARN', () => {
    const sqs = eventShape({ Records: [{ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders' }, { eventSource: 'aws:sqs' }] }, 'fn');
    expect(sqs.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'messaging.system': 'aws_sqs',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders',
      'messaging.batch.message_count': 2,
    });
    const sns = eventShape({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' } }] }, 'fn');
    expect(sns.attributes).toMatchObject({ 'messaging.system': 'aws.sns', 'messaging.destination.name': 'alerts' });
    const kinesis = eventShape({ Records: [{ eventSource: 'aws:kinesis', eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks' }] }, 'fn');
    expect(kinesis.attributes).toMatchObject({ 'messaging.system': 'aws_kinesis', 'messaging.destination.name': 'clicks' });
    expect(eventShape({ Records: [{ eventSource: 'aws:sqs' }] }, 'fn').attributes).not.toHaveProperty('messaging.destination.name');
  });

  test("an SQS batch and an SQS record's span name the queue's endpoint (server.address) and aws.sqs.queue.url, as OpenTelemetry's Lambda instrumentation does", async () => {
    const sqs = (arn: string) => eventShape({ Records: [{ eventSource: 'aws:sqs', eventSourceARN: arn }] }, 'fn').attributes;
    expect(sqs('arn:aws:sqs:eu-west-1:123456789012:orders')).toMatchObject({ 'server.address': 'sqs.eu-west-1.amazonaws.com', 'aws.sqs.queue.url': 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders' });
    expect(sqs('arn:aws-cn:sqs:cn-north-1:123456789012:orders')).toMatchObject({ 'server.address': 'sqs.cn-north-1.amazonaws.com.cn', 'aws.sqs.queue.url': 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders' });
    // An ARN of another form, another partition, or no single queue: neither is guessed.
    for (const arn of ['arn:aws:sqs:eu-west-1:orders', 'arn:aws-iso:sqs:us-iso-east-1:1:orders', 'orders']) expect(sqs(arn)).not.toHaveProperty('server.address');
    const two = eventShape({ Records: ['a', 'b'].map((q) => ({ eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:eu-west-1:1:${q}` })) }, 'fn').attributes;
    expect([two['server.address'], two['aws.sqs.queue.url']]).toEqual([undefined, undefined]);
    const sns = eventShape({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: 'arn:aws:sns:eu-west-1:1:alerts' } }] }, 'fn').attributes;
    expect(sns).not.toHaveProperty('server.address');
    const { monitor, memory } = createTestMonitor();
    await wrapFunction(async (e: { Records: unknown[] }, _c: unknown) => traceRecord(e.Records[0], () => 'ok'), monitor)({ Records: [{ messageId: 'm-1', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders' }] }, { awsRequestId: 'r' });
    expect(memory.spans.map((x) => x.attributes['aws.sqs.queue.url'])).toEqual(['https://sqs.eu-west-1.amazonaws.com/123456789012/orders', 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders']);
  });

  test('span names: `process <destination>` for a batch (messaging conventions), the function name for other triggers (Lambda conventions)', () => {
    const arn = (q: string) => `arn:aws:sqs:eu-west-1:123456789012:${q}`;
    const sqs = (...qs: (string | undefined)[]) => eventShape({ Records: qs.map((q) => ({ eventSource: 'aws:sqs', eventSourceARN: q && arn(q) })) }, 'fn');
    expect(sqs('orders', 'orders').name).toBe('process orders');
    expect(sqs('orders', undefined).name).toBe('process orders');
    // Two queues in one event: no single destination to name.
    const mixed = sqs('orders', 'refunds');
    expect([mixed.name, mixed.attributes['messaging.destination.name']]).toEqual(['process', undefined]);
    expect(sqs(undefined).name).toBe('process');
    expect(eventShape({ Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: 'arn:aws:sns:eu-west-1:1:alerts' } }] }, 'fn').name).toBe('process alerts');
    expect(eventShape({ Records: [{ eventSource: 'aws:s3' }] }, 'fn').name).toBe('fn');
    expect(eventShape({ Records: [{ eventSource: 'aws:dynamodb' }] }, 'fn').name).toBe('fn');
    expect(eventShape({ source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-27T08:00:00Z' }, 'fn').name).toBe('fn');
  });
});

describe('eventShape: url.scheme', () => {
  test('is http or https only, whatever X-Forwarded-Proto says (each other text would be a new metric label value)', () => {
    const scheme = (proto?: string) => eventShape({ httpMethod: 'GET', path: '/', headers: proto === undefined ? {} : { 'x-forwarded-proto': proto } }, 'fn').attributes['url.scheme'];
    expect([scheme(), scheme('https'), scheme('http'), scheme('HTTP'), scheme('http, https'), scheme('s0'), scheme('gopher')]).toEqual(['https', 'https', 'http', 'http', 'http', 'https', 'https']);
  });
});

describe('eventShape: url.path is the path the client asked for', () => {
  test("a REST API event's url.path keeps the stage (requestContext.path), as an HTTP API's rawPath does; http.route stays the resource", () => {
    const v1 = eventShape({ httpMethod: 'GET', path: '/orders/7', resource: '/orders/{id}', headers: {}, requestContext: { path: '/prod/orders/7' } }, 'fn');
    expect([v1.attributes['url.path'], v1.attributes['http.route']]).toEqual(['/prod/orders/7', '/orders/{id}']);
    const v2 = eventShape({ version: '2.0', routeKey: 'GET /orders/{id}', rawPath: '/prod/orders/7', headers: {}, requestContext: { http: { method: 'GET' } } }, 'fn');
    expect(v2.attributes['url.path']).toBe('/prod/orders/7');
  });

  test('an ALB event (no requestContext.path) and a hand-made event without it keep event.path', () => {
    expect(eventShape({ httpMethod: 'GET', path: '/s', headers: {}, requestContext: elb }, 'fn').attributes['url.path']).toBe('/s');
    expect(eventShape({ httpMethod: 'GET', path: '/s', headers: {} }, 'fn').attributes['url.path']).toBe('/s');
  });
});

describe('eventShape: http.route of a catch-all proxy integration', () => {
  test("a REST API's /{proxy+} resource is the route, as an HTTP API's ANY /{proxy+} routeKey is: the same span name and http.route", () => {
    const v1 = eventShape({ httpMethod: 'GET', path: '/users/7', resource: '/{proxy+}', headers: {}, requestContext: { path: '/prod/users/7', resourcePath: '/{proxy+}' } }, 'fn');
    const v2 = eventShape({ version: '2.0', routeKey: 'ANY /{proxy+}', rawPath: '/users/7', headers: {}, requestContext: { http: { method: 'GET' } } }, 'fn');
    expect([v1.name, v1.attributes['http.route'], v1.http?.route]).toEqual(['GET /{proxy+}', '/{proxy+}', '/{proxy+}']);
    expect([v2.name, v2.attributes['http.route']]).toEqual([v1.name, v1.attributes['http.route']]);
  });
});
