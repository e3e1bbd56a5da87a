/**
 * AWS Lambda differential test: each scenario is one invocation (an event, a Lambda context and
 * what the handler does) of the same handler module (fixtures/lambda-reference/index.cjs), run
 * two ways: under @opentelemetry/instrumentation-aws-lambda 0.75.0 in a child process, loaded as
 * the Lambda Node runtime loads it (LAMBDA_TASK_ROOT, _HANDLER; fixtures/lambda-reference/
 * run-reference.cjs), and wrapped by `wrapFunction`. The invocations run in the table's order on
 * both sides, so the first is the sandbox's cold start. The spans (name, kind, status, parent,
 * links, attributes, exception events) are normalised and must be equal once the differences
 * listed in ACCEPTED are applied to the reference's; a difference that disappears fails too.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/lambda-reference/', import.meta.url));
const { handler } = createRequire(import.meta.url)('./fixtures/lambda-reference/index.cjs') as { handler: (...args: unknown[]) => unknown };

/** The variables the Lambda runtime sets, the same on both sides (lambda-resource.ts reads the AWS_LAMBDA_* ones). */
const LAMBDA_ENV: Record<string, string> = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders',
  AWS_LAMBDA_FUNCTION_VERSION: '3',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/27/[3]0123456789abcdef',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders',
  // Node 22 and older: the runtime still calls a handler with a callback (the reference reads this).
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
  // Active tracing's segment: neither side takes it as the parent (the reference leaves it to the
  // `xray-lambda` propagator; the library reads trace context from events only).
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TP = `00-${TRACE}-00f067aa0ba902b7-01`;
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:orders-queue';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:orders-topic';

type Behaviour = 'ok' | 'status-500' | 'throw' | 'throw-string' | 'throw-sync' | 'callback-ok' | 'callback-error';
interface Scenario {
  event: unknown;
  behaviour?: Behaviour;
  /** Overrides of the Lambda context (an alias or version ARN). */
  context?: Record<string, unknown>;
  /** The reference's options for this invocation. */
  config?: Record<string, unknown>;
  /** Attributes only the library records on the invocation's span, each key listed in ONLY_OURS with why. */
  only?: Record<string, unknown>;
  /** A difference accepted in this scenario only, applied to the reference's spans first. */
  accept?: { why: string; apply(spans: Norm[]): Norm[] };
}

const restV1 = (headers: Record<string, string>) => ({
  resource: '/orders/{id}',
  path: '/orders/42',
  httpMethod: 'GET',
  headers,
  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
  queryStringParameters: { sort: 'asc' },
  multiValueQueryStringParameters: { sort: ['asc'] },
  pathParameters: { id: '42' },
  requestContext: { resourcePath: '/orders/{id}', httpMethod: 'GET', protocol: 'HTTP/1.1', stage: 'prod', identity: { sourceIp: '203.0.113.9' } },
  body: null,
  isBase64Encoded: false,
});
const restHeaders = { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'User-Agent': 'curl/8.5.0', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Port': '443' };
const httpV2 = (method: string, routeKey: string, host: string, extra: Record<string, string> = {}) => ({
  version: '2.0',
  routeKey,
  rawPath: '/orders',
  rawQueryString: 'tag=a&tag=b',
  headers: { host, 'user-agent': 'okhttp/4', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', ...extra },
  queryStringParameters: { tag: 'a,b' },
  requestContext: { domainName: host, http: { method, path: '/orders', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'okhttp/4' }, routeKey, stage: '$default' },
  body: '{}',
  isBase64Encoded: false,
});
const sqsRecord = (id: string, attrs: { traceHeader?: string; traceparent?: string }) => ({
  messageId: id,
  receiptHandle: 'AQEB',
  body: '{}',
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764240000000', ...(attrs.traceHeader ? { AWSTraceHeader: attrs.traceHeader } : {}) },
  messageAttributes: attrs.traceparent ? { traceparent: { stringValue: attrs.traceparent, dataType: 'String' } } : {},
  md5OfBody: '99914b932bd37a50b983c5e7c90ae93b',
  eventSource: 'aws:sqs',
  eventSourceARN: QUEUE,
  awsRegion: 'eu-west-1',
});
const HTTP_V1 = { 'faas.trigger': 'http', 'http.request.method': 'GET', 'http.route': '/orders/{id}', 'http.response.status_code': 200, 'user_agent.original': 'curl/8.5.0', 'client.address': '203.0.113.9' };
const HTTP_V2 = { 'faas.trigger': 'http', 'http.response.status_code': 200, 'user_agent.original': 'okhttp/4', 'client.address': '198.51.100.7' };
const OTHER = { 'faas.trigger': 'other' };
const withoutStatus = ({ 'http.response.status_code': _, ...rest }: Record<string, unknown>) => rest;
/** One span's fields changed (a scenario's accepted difference). */
const patch = (over: Partial<Norm> | ((n: Norm) => Partial<Norm>)) => (spans: Norm[]) => spans.map((n) => ({ ...n, ...(typeof over === 'function' ? over(n) : over) }));
const xray = (root: string, parent: string) => `Root=1-${root.slice(0, 8)}-${root.slice(8)};Parent=${parent};Sampled=1`;

const scenarios: Record<string, Scenario> = {
  'API Gateway REST (v1) GET with a traceparent header (cold start)': { event: restV1({ ...restHeaders, traceparent: TP }), only: HTTP_V1 },
  'API Gateway REST (v1), the same again (warm)': { event: restV1({ ...restHeaders, traceparent: TP }), only: HTTP_V1 },
  'API Gateway REST (v1), Traceparent as the client spelled it': {
    event: restV1({ ...restHeaders, Traceparent: TP }),
    only: HTTP_V1,
    accept: {
      why: "header names are case-insensitive and a REST API passes them as the client spelled them: the library reads `Traceparent`; the reference's getter asks for `traceparent` only and starts a new trace",
      apply: patch({ parent: 'remote 00f067aa0ba902b7' }),
    },
  },
  'API Gateway HTTP API (v2) POST with a traceparent header': {
    event: httpV2('POST', 'POST /orders', 'abc123.execute-api.eu-west-1.amazonaws.com', { traceparent: TP }),
    only: { ...HTTP_V2, 'http.request.method': 'POST', 'http.route': '/orders' },
  },
  'Application Load Balancer': {
    event: {
      requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/73e2d6bc24d8a067' } },
      httpMethod: 'GET',
      path: '/health',
      queryStringParameters: { q: 'a%20b' },
      headers: { host: 'orders-lb-1.eu-west-1.elb.amazonaws.com', 'user-agent': 'ELB-HealthChecker/2.0', 'x-forwarded-proto': 'http', 'x-forwarded-port': '80', 'x-forwarded-for': '192.0.2.1' },
      body: '',
      isBase64Encoded: false,
    },
    only: { 'faas.trigger': 'http', 'http.request.method': 'GET', 'http.response.status_code': 200, 'user_agent.original': 'ELB-HealthChecker/2.0' },
    accept: {
      why: 'an ALB passes query values as the client sent them (a%20b): the library keeps them; the reference encodes them again (a%2520b)',
      apply: patch((n) => ({ attributes: { ...n.attributes, 'url.full': String(n.attributes['url.full']).replace('%2520', '%20') } })),
    },
  },
  'Application Load Balancer with multi-value headers on': {
    event: {
      requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/73e2d6bc24d8a067' } },
      httpMethod: 'GET',
      path: '/health',
      multiValueQueryStringParameters: { q: ['1', '2'] },
      multiValueHeaders: { host: ['orders-lb-1.eu-west-1.elb.amazonaws.com'], 'x-forwarded-proto': ['https'], 'x-forwarded-port': ['443'], traceparent: [TP] },
      body: '',
      isBase64Encoded: false,
    },
    only: { 'faas.trigger': 'http', 'http.request.method': 'GET', 'http.response.status_code': 200 },
    accept: {
      why: 'an ALB with multi-value headers on sends only multiValueHeaders and multiValueQueryStringParameters: the library reads them (the traceparent, the URL); the reference reads event.headers alone and records neither',
      apply: patch((n) => ({ parent: 'remote 00f067aa0ba902b7', attributes: { ...n.attributes, 'url.full': 'https://orders-lb-1.eu-west-1.elb.amazonaws.com/health?q=1&q=2' } })),
    },
  },
  'function URL': { event: httpV2('GET', '$default', 'abcdefghijklmnop.lambda-url.eu-west-1.on.aws'), only: { ...HTTP_V2, 'http.request.method': 'GET' } },
  'SQS batch of two, AWSTraceHeader system attributes': {
    event: { Records: [sqsRecord('m-1', { traceHeader: xray(TRACE, '1111111111111111') }), sqsRecord('m-2', { traceHeader: xray('5759e988bd862e3fe1be46a994272793', '2222222222222222') })] },
  },
  'SQS batch of two, traceparent message attributes': {
    event: { Records: [sqsRecord('m-3', { traceparent: `00-${TRACE}-3333333333333333-01` }), sqsRecord('m-4', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-4444444444444444-01' })] },
    config: { useGlobalPropagatorForSqsExtraction: true },
  },
  'SQS batch of one, traceparent message attributes, the reference reading AWSTraceHeader only': {
    event: { Records: [sqsRecord('m-5', { traceparent: `00-${TRACE}-5555555555555555-01` })] },
    accept: {
      why: 'the library links to the traceparent in message attributes (what @opentelemetry/instrumentation-aws-sdk injects when it sends), and to AWSTraceHeader where there is none; the reference reads message attributes only with useGlobalPropagatorForSqsExtraction',
      apply: patch((n) => (n.kind === 'CONSUMER' ? { links: [`${TRACE}-5555555555555555 {"messaging.message.id":"m-5"}`] } : {})),
    },
  },
  SNS: {
    event: {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
          Sns: { Type: 'Notification', MessageId: 'sns-1', TopicArn: TOPIC, Message: '{}', Timestamp: '2026-11-27T10:00:00.000Z', MessageAttributes: { traceparent: { Type: 'String', Value: `00-${TRACE}-6666666666666666-01` } } },
        },
      ],
    },
    only: { 'faas.trigger': 'pubsub', 'messaging.system': 'aws.sns', 'messaging.destination.name': 'orders-topic', 'messaging.operation.name': 'process', 'messaging.operation.type': 'process', 'messaging.batch.message_count': 1 },
    accept: {
      why: "the reference handles no SNS event (a SERVER span named by the function); the library records it as an SQS batch: a CONSUMER span `process <topic>` (messaging conventions) linked to each message's traceparent",
      apply: patch({ name: 'process orders-topic', kind: 'CONSUMER', links: [`${TRACE}-6666666666666666 {"messaging.message.id":"sns-1"}`] }),
    },
  },
  'S3 notification': {
    event: { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'eu-west-1', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'orders', arn: 'arn:aws:s3:::orders' }, object: { key: 'a.json', size: 2 } } }] },
    only: { 'faas.trigger': 'datasource' },
  },
  'EventBridge scheduled event': {
    event: { version: '0', id: 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-11-27T10:00:00Z', region: 'eu-west-1', resources: ['arn:aws:events:eu-west-1:123456789012:rule/nightly'], detail: {} },
    only: { 'faas.trigger': 'timer', 'faas.time': '2026-11-27T10:00:00Z' },
  },
  'direct invoke with a plain object': { event: { orderId: 7 }, only: OTHER },
  'direct invoke whose payload has a headers field with a traceparent': {
    event: { headers: { traceparent: TP }, orderId: 8 },
    only: OTHER,
    accept: {
      why: "trace context is read from HTTP events only: a direct invoke's payload is the caller's data and its `headers` field no HTTP headers; the reference reads event.headers of any event",
      apply: patch({ parent: null }),
    },
  },
  'API Gateway REST (v1), the handler throws': { event: restV1(restHeaders), behaviour: 'throw', only: { ...withoutStatus(HTTP_V1), 'error.type': 'TypeError' } },
  'direct invoke, the handler rejects with a string': { event: { orderId: 13 }, behaviour: 'throw-string', only: { ...OTHER, 'error.type': 'string' } },
  'direct invoke, the handler throws synchronously': { event: { orderId: 9 }, behaviour: 'throw-sync', only: { ...OTHER, 'error.type': 'RangeError' } },
  'HTTP API (v2), the handler answers 500': {
    event: httpV2('GET', 'GET /orders', 'abc123.execute-api.eu-west-1.amazonaws.com'),
    behaviour: 'status-500',
    only: { ...HTTP_V2, 'http.request.method': 'GET', 'http.route': '/orders', 'http.response.status_code': 500, 'error.type': '500' },
  },
  'API Gateway REST (v1), callback-style handler': { event: restV1(restHeaders), behaviour: 'callback-ok', only: HTTP_V1 },
  'direct invoke, callback-style handler that fails': {
    event: { orderId: 10 },
    behaviour: 'callback-error',
    only: { ...OTHER, 'error.type': 'Error' },
    accept: {
      why: "the reference ends the span of a callback-style handler when it returns, before the callback, so the callback's error is lost (UNSET, no exception); the library ends it at the callback",
      apply: patch({ status: 'ERROR: callback failed', exceptions: ['Error: callback failed'] }),
    },
  },
  'an alias ARN (:function:orders:live)': { event: { orderId: 11 }, context: { invokedFunctionArn: `${ARN}:live` }, only: OTHER },
  'a version ARN (:function:orders:3)': { event: { orderId: 12 }, context: { invokedFunctionArn: `${ARN}:3` }, only: OTHER },
};

interface Norm {
  name: string;
  kind: string;
  status: string;
  /** 'remote <span id>' (same trace id), a local span's name, or null. */
  parent: string | null;
  links: string[];
  attributes: Record<string, unknown>;
  exceptions: string[];
}

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
interface Plain {
  name: string;
  kind: string;
  status: { code: number; message?: string };
  traceId: string;
  spanId: string;
  parent: { traceId: string; spanId: string } | null;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, unknown> }>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}

function normalise(spans: Plain[]): Norm[] {
  const local = new Map(spans.map((s) => [s.spanId, s]));
  return spans.map((s) => {
    const p = s.parent && local.get(s.parent.spanId);
    return {
      name: s.name,
      kind: s.kind,
      status: STATUS[s.status.code]! + (s.status.message ? `: ${s.status.message}` : ''),
      parent: p ? p.name : s.parent ? `remote ${s.parent.spanId}${s.parent.traceId === s.traceId ? '' : ' (another trace)'}` : null,
      links: s.links.map((l) => `${l.traceId}-${l.spanId}${Object.keys(l.attributes).length ? ` ${JSON.stringify(l.attributes)}` : ''}`),
      attributes: s.attributes,
      exceptions: s.events.filter((e) => e.name === 'exception').map((e) => `${String(e.attributes['exception.type'])}: ${String(e.attributes['exception.message'])}`),
    };
  });
}

const context = (i: number, over: Record<string, unknown> = {}) => ({
  awsRequestId: `req-${i}`,
  functionName: 'orders',
  functionVersion: '3',
  invokedFunctionArn: ARN,
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/orders',
  logStreamName: LAMBDA_ENV.AWS_LAMBDA_LOG_STREAM_NAME,
  callbackWaitsForEmptyEventLoop: true,
  ...over,
});

interface Outcome {
  result: unknown;
  spans: Norm[];
}

function runReference(): Outcome[] {
  const invocations = Object.values(scenarios).map((s, i) => ({ behaviour: s.behaviour ?? 'ok', event: s.event, context: context(i, s.context), config: s.config }));
  const out = execFileSync(process.execPath, [`${FIXTURES}run-reference.cjs`], {
    input: JSON.stringify({ invocations }),
    env: { PATH: process.env.PATH, ...LAMBDA_ENV, LAMBDA_TASK_ROOT: FIXTURES, _HANDLER: 'index.handler' },
    encoding: 'utf8',
  });
  return (JSON.parse(out) as Array<{ result: unknown; spans: Array<Plain & { kind: number }> }>).map((o) => ({
    result: o.result,
    spans: normalise(o.spans.map((s) => ({ ...s, kind: KINDS[s.kind]! }))),
  }));
}

async function runOurs(): Promise<{ outcomes: Outcome[]; resource: Record<string, unknown> }> {
  const saved = { ...process.env };
  Object.assign(process.env, LAMBDA_ENV);
  try {
    resetColdStart();
    const { monitor, memory } = createTestMonitor();
    const wrapped = wrapFunction(handler, monitor);
    const outcomes: Outcome[] = [];
    let i = 0;
    for (const s of Object.values(scenarios)) {
      (globalThis as { lambdaBehaviour?: string }).lambdaBehaviour = s.behaviour ?? 'ok';
      const before = memory.spans.length;
      let result: unknown;
      try {
        result = await wrapped(s.event, { ...context(i++, s.context), getRemainingTimeInMillis: () => 10_000 });
      } catch (err) {
        result = { threw: String(err) };
      }
      const spans = memory.spans.slice(before).map((x): Plain => ({
        name: x.name,
        kind: KINDS[x.kind - 1]!,
        status: x.status,
        traceId: x.traceId,
        spanId: x.spanId,
        parent: x.parentSpanId ? { traceId: x.traceId, spanId: x.parentSpanId } : null,
        attributes: { ...x.attributes },
        links: x.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: { ...l.attributes } })),
        events: x.events.map((e) => ({ name: e.name, attributes: { ...e.attributes } })),
      }));
      outcomes.push({ result, spans: normalise(spans) });
    }
    const resource = { ...monitor.resource.attributes };
    await monitor.shutdown();
    return { outcomes, resource };
  } finally {
    for (const k of Object.keys(LAMBDA_ENV)) if (!(k in saved)) delete process.env[k];
    delete (globalThis as { lambdaBehaviour?: string }).lambdaBehaviour;
    resetColdStart();
  }
}

/** Attributes only the library records (the reference none of them), and why. */
const ONLY_OURS: Record<string, string> = {
  'faas.trigger': 'FaaS conventions: the trigger of every invocation (http, pubsub, datasource, timer, other); the reference sets it for SQS only',
  'faas.time': 'FaaS conventions: a timer-triggered invocation records its time (EventBridge `time`)',
  'http.request.method': 'HTTP server conventions (required); the reference records url.full alone',
  'http.route': 'HTTP server conventions; the Lambda conventions name the route an API Gateway event gives (resource, routeKey)',
  'http.response.status_code': 'HTTP server conventions: the statusCode the handler returned',
  'user_agent.original': 'HTTP server conventions (recommended)',
  'client.address': "HTTP server conventions: API Gateway's sourceIp",
  'error.type': 'HTTP and recording-errors conventions: the exception type, or an HTTP event\'s 5xx status',
  'messaging.system': 'messaging conventions (SNS: aws.sns)',
  'messaging.destination.name': 'messaging conventions: the topic',
  'messaging.operation.name': 'messaging conventions',
  'messaging.operation.type': 'messaging conventions',
  'messaging.batch.message_count': 'messaging conventions: the records of the batch',
};

/** A span of the invocation: the one whose parent is not a span of the same invocation. */
const isInvocation = (n: Norm, spans: Norm[]) => !spans.some((m) => m.name === n.parent);
const onInvocation = (spans: Norm[], f: (n: Norm) => Norm) => spans.map((n) => (isInvocation(n, spans) ? f(n) : n));
const URL_FULL = /^(\w+):\/\/([^/:]+)(?::(\d+))?([^?]*)(?:\?(.*))?$/;

/**
 * The accepted differences, each turning the reference's spans into what the library records,
 * applied in this order after a scenario's own. Each must still change something in some scenario.
 */
const ACCEPTED: Array<{ why: string; apply(spans: Norm[], s: Scenario, context: Record<string, unknown>): Norm[] }> = [
  {
    why: "Lambda conventions' SQS example: the invocation's span is the batch's CONSUMER span `process <queue>`, linked to each message; the reference makes a SERVER span named by the function with that CONSUMER span as its only child",
    apply(spans) {
      const consumer = spans.find((n) => n.kind === 'CONSUMER' && spans.some((m) => m.kind === 'SERVER' && m.name === n.parent));
      const server = consumer && spans.find((m) => m.name === consumer.parent)!;
      if (!consumer || !server) return spans;
      return [{ ...consumer, parent: server.parent, status: server.status, exceptions: server.exceptions, attributes: { ...server.attributes, ...consumer.attributes } }];
    },
  },
  {
    why: 'attributes only the library records, listed per scenario (`only`) with their reason in ONLY_OURS',
    apply: (spans, s) =>
      onInvocation(spans, (n) => {
        const attributes = { ...n.attributes };
        for (const [k, v] of Object.entries(s.only ?? {})) attributes[k] = !(k in ONLY_OURS) ? `${k} is not in ONLY_OURS` : k in n.attributes ? `the reference records ${k} now` : v;
        return { ...n, attributes };
      }),
  },
  {
    why: 'faas.name, faas.version, cloud.provider and cloud.platform also on the span (Lambda conventions: consider the faas and cloud resource attributes), as on the resource',
    apply: (spans, _s, c) => onInvocation(spans, (n) => ({ ...n, attributes: { ...n.attributes, 'faas.name': c.functionName, 'faas.version': c.functionVersion, 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda' } })),
  },
  {
    why: "FaaS conventions: cloud.resource_id is the function's ARN with an alias replaced by the version it resolved to, the ARN as invoked is aws.lambda.invoked_arn (Lambda conventions); the reference puts the invoked ARN in cloud.resource_id",
    apply: (spans, _s, c) =>
      onInvocation(spans, (n) => {
        const invoked = String(n.attributes['cloud.resource_id']);
        const arn = invoked.split(':');
        if (arn.length > 7) arn.splice(7, arn.length, String(c.functionVersion));
        return { ...n, attributes: { ...n.attributes, 'cloud.resource_id': arn.join(':'), 'aws.lambda.invoked_arn': invoked } };
      }),
  },
  {
    why: 'HTTP server conventions: a server span records url.scheme, server.address, url.path and url.query; url.full is for client spans, and all the reference records',
    apply: (spans) =>
      spans.map((n) => {
        const { 'url.full': full, ...attributes } = n.attributes;
        const m = typeof full === 'string' ? URL_FULL.exec(full) : null;
        if (!m) return n;
        Object.assign(attributes, { 'url.scheme': m[1], 'server.address': m[2], 'url.path': m[4] });
        if (m[3]) attributes['server.port'] = Number(m[3]);
        if (m[5]) attributes['url.query'] = m[5];
        return { ...n, attributes };
      }),
  },
  {
    why: "HTTP server conventions: server.port comes with the host (Forwarded, X-Forwarded-Host, :authority, Host), which API Gateway and an ALB send without the scheme's default port; the reference appends X-Forwarded-Port to url.full",
    apply: (spans) =>
      spans.map((n) => {
        const { 'server.port': port, ...attributes } = n.attributes;
        return port === ({ https: 443, http: 80 } as Record<string, number>)[String(attributes['url.scheme'])] ? { ...n, attributes } : n;
      }),
  },
  {
    why: "an HTTP API's or a function URL's url.query is rawQueryString, as the client sent it; the reference rebuilds it from queryStringParameters, where API Gateway joined a repeated parameter's values with commas (tag=a%2Cb)",
    apply: patch((n) => (n.attributes['url.query'] === 'tag=a%2Cb' ? { attributes: { ...n.attributes, 'url.query': 'tag=a&tag=b' } } : {})),
  },
  {
    why: "HTTP server conventions: the span of an HTTP event is named `{method} {route}`, `{method}` without a route (an ALB, a function URL); the Lambda conventions name an API Gateway event's span by its route too, the reference by the function",
    apply: patch((n) => (n.attributes['http.request.method'] ? { name: [n.attributes['http.request.method'], n.attributes['http.route']].filter(Boolean).join(' ') } : {})),
  },
  {
    why: 'HTTP server conventions: a server span whose response is a 5xx is ERROR; the reference sets ERROR for an exception only',
    apply: patch((n) => (Number(n.attributes['http.response.status_code']) >= 500 && n.status === 'UNSET' ? { status: 'ERROR' } : {})),
  },
  {
    why: "messaging.batch.message_count also for a batch of one: Lambda's SQS event is always a batch (the conventions' examples include 1); the reference sets it above 1 only",
    apply: patch((n) => (n.attributes['messaging.system'] && !('messaging.batch.message_count' in n.attributes) ? { attributes: { ...n.attributes, 'messaging.batch.message_count': 1 } } : {})),
  },
];

let reference: Outcome[];
let ours: { outcomes: Outcome[]; resource: Record<string, unknown> };
const used = new Set<string>();

beforeAll(async () => {
  reference = runReference();
  ours = await runOurs();
});
afterAll(() => {
  resetColdStart();
});

describe('wrapFunction against @opentelemetry/instrumentation-aws-lambda 0.75.0', () => {
  Object.entries(scenarios).forEach(([name, s], i) => {
    test(name, () => {
      const ref = reference[i]!;
      const mine = ours.outcomes[i]!;
      if (process.env.DIFF_DUMP) console.log(name, JSON.stringify({ ref, mine }, null, 1));
      // Neither changes what the runtime gets back.
      expect(mine.result).toEqual(ref.result);
      let want = s.accept ? s.accept.apply(ref.spans) : ref.spans;
      if (s.accept) expect(want, s.accept.why).not.toEqual(ref.spans);
      for (const a of ACCEPTED) {
        const next = a.apply(want, s, context(i, s.context));
        if (JSON.stringify(next) !== JSON.stringify(want)) used.add(a.why);
        want = next;
      }
      expect(mine.spans).toEqual(want);
    });
  });

  test('the resource: what the reference leaves to a resource detector, the library reads from the same variables', () => {
    expect(ours.resource).toMatchObject({
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'orders',
      'faas.version': '3',
      'faas.instance': LAMBDA_ENV.AWS_LAMBDA_LOG_STREAM_NAME,
      'faas.max_memory': 512 * 1024 * 1024,
      'aws.log.group.names': ['/aws/lambda/orders'],
    });
  });

  test('every accepted difference still shows in some scenario', () => {
    expect(ACCEPTED.map((a) => a.why).filter((w) => !used.has(w))).toEqual([]);
  });
});
