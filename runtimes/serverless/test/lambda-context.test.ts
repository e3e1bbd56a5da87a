import { afterEach, describe, expect, test, vi } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { eventShape } from '../src/lambda-event.js';
import { resetColdStart } from '../src/wrap-function.js';

const context = { awsRequestId: 'r', functionName: 'orders', getRemainingTimeInMillis: () => 10_000 };
const T1 = '4bf92f3577b34da6a3ce929d0e0e4736';
const T2 = '0af7651916cd43dd8448eb211c80319c';
const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'orders',
  AWS_LAMBDA_FUNCTION_VERSION: '7',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/07/01/[7]2f399eb14537447da05ab2a2e39309de',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/orders',
};

describe('wrapFunction on AWS Lambda: resource attributes from the environment (semantic conventions, FaaS resource)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetColdStart();
  });

  test('cloud.*, faas.* and aws.log.group.names come from the variables Lambda sets, faas.max_memory in bytes', async () => {
    for (const [k, v] of Object.entries(LAMBDA_ENV)) vi.stubEnv(k, v);
    const memory = new MemoryBackend();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ok', { serviceName: 'orders', backends: [memory] });
    await handler({ Records: [{ eventSource: 'aws:sqs' }] }, context);
    expect(memory.resource!.attributes).toMatchObject({
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'orders',
      'faas.version': '7',
      'faas.instance': '2026/07/01/[7]2f399eb14537447da05ab2a2e39309de',
      'faas.max_memory': 512 * 1024 * 1024,
      'aws.log.group.names': ['/aws/lambda/orders'],
      'service.name': 'orders',
    });
  });

  test('what code or OTEL_RESOURCE_ATTRIBUTES give wins; a malformed memory size is left out; a monitor passed in gets only what it lacks', async () => {
    for (const [k, v] of Object.entries(LAMBDA_ENV)) vi.stubEnv(k, v);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'lots');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'cloud.region=from-env');
    const memory = new MemoryBackend();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'ok', { serviceName: 'orders', resource: { 'faas.name': 'from-code' }, backends: [memory] });
    await handler({ Records: [{ eventSource: 'aws:sqs' }] }, context);
    expect(memory.resource!.attributes).toMatchObject({ 'cloud.region': 'from-env', 'faas.name': 'from-code', 'faas.version': '7' });
    expect(memory.resource!.attributes).not.toHaveProperty('faas.max_memory');

    const { monitor } = createTestMonitor({ resource: { 'cloud.region': 'mine' } });
    wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor);
    expect(monitor.resource.attributes).toMatchObject({ 'cloud.region': 'mine', 'cloud.provider': 'aws', 'faas.name': 'orders' });
  });

  test('outside Lambda (no AWS_LAMBDA_FUNCTION_NAME) the resource gets none of them', () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const { monitor } = createTestMonitor();
    wrapFunction(async (_e: unknown, _c: unknown) => 'ok', monitor);
    expect(Object.keys(monitor.resource.attributes).filter((k) => k.startsWith('cloud.') || k.startsWith('faas.'))).toEqual([]);
  });
});

describe('wrapFunction on AWS Lambda: each message’s trace context becomes a link of the CONSUMER span (messaging batch receive)', () => {
  afterEach(() => resetColdStart());

  const sqs = (attrs: unknown, extra: Record<string, unknown> = {}) => ({ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:1:orders', messageAttributes: attrs, ...extra });

  test('SQS: W3C traceparent (and tracestate) in messageAttributes, or the X-Ray AWSTraceHeader; malformed ones are skipped without failing', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'done', monitor);
    const event = {
      Records: [
        sqs({ traceparent: { stringValue: `00-${T1}-00f067aa0ba902b7-01`, dataType: 'String' }, tracestate: { stringValue: 'vendor=1', dataType: 'String' } }),
        sqs({ traceparent: { stringValue: 'not-a-traceparent', dataType: 'String' } }),
        sqs(undefined, { attributes: { AWSTraceHeader: 'Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=53995c3f42cd8ad8;Sampled=1' } }),
        sqs(null, { attributes: { AWSTraceHeader: 'Root=1-zz;Parent=1' } }),
        sqs({ traceparent: 42 }),
        null,
        sqs({ traceparent: { stringValue: `00-${T2}-b7ad6b7169203331-00` } }),
      ],
    };
    expect(await handler(event, context)).toBe('done');
    const span = memory.spans.find((s) => s.kind === 5)!;
    expect(span.parentSpanId).toBeUndefined();
    expect(span.links.map((l) => [l.traceId, l.spanId, l.traceState])).toEqual([
      [T1, '00f067aa0ba902b7', 'vendor=1'],
      [T2, '53995c3f42cd8ad8', undefined],
      [T2, 'b7ad6b7169203331', undefined],
    ]);
    // The sampled flag of each message (MemoryBackend keeps no link flags: read off the shape).
    expect(eventShape(event, 'orders', 128).links!.map((l) => [l.context.traceFlags, l.context.isRemote])).toEqual([[1, true], [1, true], [0, true]]);
  });

  test('SNS: traceparent in Sns.MessageAttributes, the link with the message id', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'done', monitor);
    await handler({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'sns-1', TopicArn: 'arn:aws:sns:eu-west-1:1:t', MessageAttributes: { traceparent: { Type: 'String', Value: `00-${T1}-00f067aa0ba902b7-01` } } } }] }, context);
    // Each link says which message it came from (messaging.message.id), as OpenTelemetry's Lambda instrumentation does.
    expect(memory.spans.find((s) => s.kind === 5)!.links.map((l) => [l.spanId, l.attributes])).toEqual([['00f067aa0ba902b7', { 'messaging.message.id': 'sns-1' }]]);
  });

  test('bounded by limits.linkCountLimit: the links past it are counted as dropped on the span (TR-06), not lost unseen', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => sqs({ traceparent: { stringValue: `00-${T1}-${(i + 1).toString(16).padStart(16, '0')}-01` } }));
    const { monitor, memory } = createTestMonitor({ limits: { linkCountLimit: 3 } });
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => 'done', monitor);
    await handler({ Records: [...records, sqs({ traceparent: { stringValue: 'malformed' } })] }, context);
    const span = memory.spans.find((s) => s.kind === 5)!;
    expect(span.links.map((l) => l.spanId)).toEqual(['0000000000000001', '0000000000000002', '0000000000000003']);
    // A malformed context is no link, dropped or kept.
    expect(span.droppedLinksCount).toBe(997);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect((dropped.points.find((p) => p.attributes.reason === 'link_limit') as { value?: number } | undefined)?.value).toBe(997);
    // A getter that throws (a proxied event) loses the links, never the invocation.
    const hostile = { Records: [{ eventSource: 'aws:sqs', get messageAttributes() { throw new Error('no'); } }] };
    expect(eventShape(hostile, 'fn', 3).links ?? []).toEqual([]);
  });
});
