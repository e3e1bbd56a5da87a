import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { traceRecord, wrapFunction } from '../index.js';
import { instrument } from '../../cloudflare-workers/index.js';

const ARN = 'arn:aws:sqs:eu-west-1:123456789012:orders';
const W3C = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
const XRAY = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8' };
const event = {
  Records: [
    {
      messageId: 'm-1',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      body: '{"order":1}',
      messageAttributes: { traceparent: { stringValue: `00-${W3C.traceId}-${W3C.spanId}-01`, dataType: 'String' } },
    },
    { messageId: 'm-2', eventSource: 'aws:sqs', eventSourceARN: ARN, body: 'not json', attributes: { AWSTraceHeader: `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${XRAY.spanId};Sampled=1` } },
  ],
};
const context = { awsRequestId: 'r1', functionName: 'orders-worker', getRemainingTimeInMillis: () => 10_000 };

describe('traceRecord', () => {
  test("each record's processing gets a CONSUMER span under the batch's, linked to the message's own context; a failed one is ERROR and rethrown", async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (e: typeof event, _c: unknown) => {
      const batchItemFailures: { itemIdentifier: string }[] = [];
      for (const record of e.Records) {
        try {
          await traceRecord(record, async () => {
            await monitor.tracer.startActiveSpan('save order', async () => JSON.parse(record.body));
          });
        } catch {
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    }, monitor);
    expect(await handler(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    const batch = memory.spans.find((s) => s.name === 'process orders' && s.links.length === 2)!;
    const records = memory.spans.filter((s) => s.name === 'process orders' && s.parentSpanId === batch.spanId);
    expect(records.map((s) => [s.kind, s.attributes['messaging.message.id'], s.links.map((l) => [l.traceId, l.spanId])])).toEqual([
      [5, 'm-1', [[W3C.traceId, W3C.spanId]]],
      [5, 'm-2', [[XRAY.traceId, XRAY.spanId]]],
    ]);
    expect(records[0]!.attributes).toMatchObject({ 'messaging.system': 'aws_sqs', 'messaging.destination.name': 'orders', 'messaging.operation.type': 'process' });
    // The record's own work is its child; the failed record is ERROR with the exception.
    const saves = memory.spans.filter((s) => s.name === 'save order');
    expect(saves.map((s) => s.parentSpanId)).toEqual(records.map((s) => s.spanId));
    expect(records.map((s) => s.status.code)).toEqual([0, 2]);
    expect(records[1]!.events.map((ev) => ev.name)).toContain('exception');
  });

  test('a synchronous fn stays synchronous; a record that is not an object still runs, in a plain `process` span', async () => {
    const { monitor, memory } = createTestMonitor();
    const handler = wrapFunction(async (_e: unknown, _c: unknown) => [traceRecord({ eventSource: 'aws:sqs', eventSourceARN: ARN }, () => 1), traceRecord(null, () => 2)], monitor);
    expect(await handler({ Records: [] }, context)).toEqual([1, 2]);
    expect(memory.spans.map((s) => s.name).sort()).toEqual(['orders-worker', 'process', 'process orders']);
  });

  test("Lambda conventions, SQS message span: faas.trigger is pubsub (MUST), as on the batch's", async () => {
    const { monitor, memory } = createTestMonitor();
    await wrapFunction(async (e: typeof event, _c: unknown) => traceRecord(e.Records[0], () => 1), monitor)(event, context);
    const record = memory.spans.find((s) => s.attributes['messaging.message.id'] === 'm-1')!;
    expect(record.attributes['faas.trigger']).toBe('pubsub');
  });

  test("a DynamoDB stream record is no messaging record: no destination read from its ARN (it ends in a time), a plain 'process' span", async () => {
    const { monitor, memory } = createTestMonitor();
    const ddb = { eventID: 'e-1', eventSource: 'aws:dynamodb', eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2015-06-27T00:48:05.899' };
    await wrapFunction(async (e: { Records: (typeof ddb)[] }, _c: unknown) => traceRecord(e.Records[0], () => 1), monitor)({ Records: [ddb] }, context);
    const record = memory.spans.find((s) => s.kind === 5)!;
    expect([record.name, record.attributes['messaging.destination.name'], record.attributes['messaging.message.id']]).toEqual(['process', undefined, 'e-1']);
  });

  test("a Cloudflare Queues message in an instrumented Worker's queue handler: its id, the batch's queue and system, a child of the batch span", async () => {
    const { monitor, memory } = createTestMonitor();
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: undefined };
    const worker = instrument(
      {
        async queue(batch: { messages: readonly { id: string; body: unknown }[] }) {
          for (const m of batch.messages) await traceRecord(m, async () => monitor.tracer.startSpan('work').end());
        },
      },
      monitor,
    );
    const batch = { queue: 'jobs', messages: [{ id: 'cf-1', body: {}, timestamp: new Date(), attempts: 1 }] };
    await worker.queue!(batch as never, {}, ctx as never);
    await Promise.all(pending);
    const parent = memory.spans.find((s) => s.name === 'process jobs' && s.parentSpanId === undefined)!;
    const record = memory.spans.find((s) => s.name === 'process jobs' && s.parentSpanId === parent.spanId)!;
    expect([record.kind, record.attributes['messaging.message.id'], record.attributes['messaging.system'], record.attributes['faas.trigger'], record.links]).toEqual([5, 'cf-1', 'cloudflare_queues', 'pubsub', []]);
  });

  test("SNS and Kinesis records: their topic or stream, SNS's MessageId and link, Kinesis's eventID; options.monitor wins over the invocation's, its span a child of the batch's", async () => {
    const { monitor, memory } = createTestMonitor();
    const other = createTestMonitor();
    const sns = { EventSource: 'aws:sns', Sns: { MessageId: 's-1', TopicArn: 'arn:aws:sns:eu-west-1:1:alerts', MessageAttributes: { traceparent: { Type: 'String', Value: `00-${W3C.traceId}-${W3C.spanId}-01` } } } };
    const kinesis = { eventSource: 'aws:kinesis', eventID: 'shardId-000000000000:4954', eventSourceARN: 'arn:aws:kinesis:eu-west-1:1:stream/clicks' };
    await wrapFunction(async (_e: unknown, _c: unknown) => [traceRecord(sns, () => 1), traceRecord(kinesis, () => 2, { monitor: other.monitor })], monitor)({ Records: [sns] }, context);
    await other.monitor.flush();
    const s = memory.spans.find((x) => x.name === 'process alerts' && x.parentSpanId !== undefined)!;
    expect([s.attributes['messaging.system'], s.attributes['messaging.message.id'], s.links.map((l) => l.spanId)]).toEqual(['aws.sns', 's-1', [W3C.spanId]]);
    const k = other.memory.spans.find((x) => x.name === 'process clicks')!;
    expect([k.attributes['messaging.system'], k.attributes['messaging.message.id'], k.parentSpanId]).toEqual(['aws_kinesis', 'shardId-000000000000:4954', s.parentSpanId]);
  });

  test("a failed record's span gets error.type (recording-errors conventions), as the batch's does: a throw, a rejection, a thrown string; the error reaches the handler unchanged", async () => {
    const { monitor, memory } = createTestMonitor();
    const seen: unknown[] = [];
    const handler = wrapFunction(async (e: typeof event, _c: unknown) => {
      const fails: Array<() => unknown> = [
        () => {
          throw new SyntaxError('bad body');
        },
        async () => Promise.reject(new RangeError('too big')),
        () => {
          throw 'plain';
        },
        () => 'ok',
      ];
      for (const f of fails) {
        try {
          await traceRecord(e.Records[0], f);
        } catch (err) {
          seen.push(err instanceof Error ? err.name : err);
        }
      }
    }, monitor);
    await handler(event, context);
    expect(seen).toEqual(['SyntaxError', 'RangeError', 'plain']);
    const records = memory.spans.filter((s) => s.attributes['messaging.message.id'] === 'm-1');
    expect(records.map((s) => [s.status.code, s.attributes['error.type']])).toEqual([
      [2, 'SyntaxError'],
      [2, 'RangeError'],
      [2, 'string'],
      [0, undefined],
    ]);
  });

  test('outside any monitor, fn runs with a span that records nothing', () => {
    let recording: boolean | undefined;
    expect(traceRecord(event.Records[0], (span) => ((recording = span.isRecording()), 'done'))).toBe('done');
    expect(recording).toBe(false);
  });
});
