import { getActiveScope, getActiveSpan } from '../../../src/context/active.js';
import { errorType } from '../../../src/http/handle-request.js';
import type { Attributes } from '../../../src/model/attributes.js';
import { Monitor } from '../../../src/monitor.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { NonRecordingSpan, type Span } from '../../../src/trace/span.js';
import { isThenable, whenSettled } from '../../../src/trace/thenable.js';
import { getDefaultMonitor } from '../../../src/wrappers/default-monitor.js';
import { MESSAGING_SYSTEM, processSpan, recordDestination, sqsQueue, type LambdaRecord } from './lambda-event.js';
import { messageContext } from './message-links.js';

/** Where `traceRecord` runs outside any monitor: a span that records nothing. */
const INERT = new NonRecordingSpan({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 });

/**
 * Runs `fn` as the processing of one SQS, SNS or Kinesis record of the batch a wrapped Lambda
 * handler got: a CONSUMER span `process <queue>`, a child of the batch's span, linked to the trace
 * context the message carries (`traceparent` in its message attributes, or SQS's `AWSTraceHeader`),
 * with `messaging.message.id` and `faas.trigger` `pubsub` (an SQS message also the queue's
 * `server.address` and `aws.sqs.queue.url`). The Lambda conventions ask for this span
 * per message beside the batch's; only the handler knows where one message's work starts and ends.
 * A Cloudflare Queues message (in an instrumented Worker's `queue` handler) gets its `id`, and the
 * queue and system of the batch's span. Returns what `fn` returns (a promise is followed); an
 * exception marks the span ERROR with `error.type` and is rethrown as it is. The monitor is
 * `options.monitor`, else the one of the invocation current (`wrapFunction`'s, `instrument()`'s), else the default
 * monitor; with none, `fn` runs with a span that records nothing. A span of `options.monitor`
 * inside another monitor's invocation joins its trace but leaves with its own monitor's exports.
 *
 * @example
 * ```ts
 * export const handler = wrapFunction(async (event: SQSEvent) => {
 *   for (const record of event.Records) await traceRecord(record, () => handleOrder(JSON.parse(record.body)));
 * }, { serviceName: 'orders' });
 * ```
 */
export function traceRecord<R>(record: unknown, fn: (span: Span) => R, options?: { monitor?: Monitor }): R {
  const owner = getActiveScope()?.owner;
  const monitor = options?.monitor ?? (owner instanceof Monitor ? owner : getDefaultMonitor());
  if (monitor === undefined) return fn(INERT);
  let system: string | undefined;
  let destination = '';
  let id: unknown;
  let link: ReturnType<typeof messageContext>;
  let queue: Attributes = {};
  // A record that cannot be read (not an object, a getter that throws) still runs, in a plain span.
  try {
    const r = record as LambdaRecord & { messageId?: unknown; eventID?: unknown; id?: unknown; Sns?: { MessageId?: unknown } };
    const source = r.eventSource ?? r.EventSource;
    system = typeof source === 'string' ? MESSAGING_SYSTEM[source.slice(4)] : undefined;
    // The destination only from a messaging ARN: a DynamoDB stream's ends in a time (`…/stream/2015-06-27T00:48:05.899`).
    if (system) {
      destination = recordDestination(r);
      queue = sqsQueue(system === 'aws_sqs' ? r.eventSourceARN : undefined);
    } else {
      // A record that names no system of its own (a Cloudflare Queues message) takes its batch span's.
      const batch = (getActiveSpan() as { attributes?: Record<string, unknown> } | undefined)?.attributes;
      if (batch?.['messaging.operation.type'] === 'process') {
        system = batch['messaging.system'] as string | undefined;
        destination = (batch['messaging.destination.name'] as string | undefined) ?? '';
      }
    }
    id = r.messageId ?? r.Sns?.MessageId ?? r.eventID ?? r.id;
    link = messageContext(record);
  } catch {
    // the span says what could be read
  }
  // Lambda conventions, SQS message span: `faas.trigger` MUST be `pubsub` (processSpan sets it with a system).
  const { name, attributes } = processSpan(system, destination);
  Object.assign(attributes, queue);
  if (typeof id === 'string') attributes['messaging.message.id'] = id;
  return monitor.tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes, links: link ? [{ context: link }] : undefined }, (span) => {
    // Recording-errors conventions: a failed record's span gets error.type, as the batch's does
    // (startActiveSpan records the exception and the ERROR status, and ends the span after this).
    const failed = (err: unknown): void => {
      try {
        span.setAttribute('error.type', errorType(err));
      } catch {
        // never let telemetry replace the record's error
      }
    };
    let result: R;
    try {
      result = fn(span);
    } catch (err) {
      failed(err);
      throw err;
    }
    return isThenable(result) ? (whenSettled(result, (err, fail) => fail && failed(err)) as R) : result;
  });
}
