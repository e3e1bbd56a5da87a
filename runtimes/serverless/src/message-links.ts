import type { Link } from '../../../src/trace/span.js';
import { parseTraceparent } from '../../../src/trace/propagation/traceparent.js';
import { parseTracestate } from '../../../src/trace/propagation/tracestate.js';

/** The `String` value of an SQS message attribute (`stringValue`) or an SNS one (`Value`). */
function text(attribute: unknown): string | undefined {
  if (attribute === null || typeof attribute !== 'object') return undefined;
  const v = (attribute as { stringValue?: unknown; Value?: unknown }).stringValue ?? (attribute as { Value?: unknown }).Value;
  return typeof v === 'string' ? v : undefined;
}

const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const XRAY_PARENT = /^[0-9a-f]{16}$/;

/**
 * The context of an X-Ray trace header (`Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=1`), which
 * SQS sets as the `AWSTraceHeader` system attribute when the sender traces with X-Ray: its trace
 * id is the W3C one written in two parts.
 */
function xrayContext(header: unknown): Link['context'] | undefined {
  if (typeof header !== 'string' || header.length > 256) return undefined;
  let root: RegExpExecArray | null = null;
  let parent: string | undefined;
  let sampled = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim().toLowerCase();
    if (key === 'Root') root = XRAY_ROOT.exec(value);
    else if (key === 'Parent' && XRAY_PARENT.test(value)) parent = value;
    else if (key === 'Sampled') sampled = value === '1' ? 1 : 0;
  }
  if (!root || !parent) return undefined;
  return { traceId: root[1]! + root[2]!, spanId: parent, traceFlags: sampled, isRemote: true };
}

/** One message's trace context: W3C `traceparent` in its message attributes, else SQS's X-Ray header. */
export function messageContext(record: unknown): Link['context'] | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const r = record as { messageAttributes?: unknown; attributes?: { AWSTraceHeader?: unknown } | null; Sns?: { MessageAttributes?: unknown } | null };
  const attrs = (r.messageAttributes ?? r.Sns?.MessageAttributes) as Record<string, unknown> | null | undefined;
  if (attrs !== null && typeof attrs === 'object') {
    const parsed = parseTraceparent(text(attrs.traceparent));
    if (parsed) return { ...parsed, traceState: parseTracestate(text(attrs.tracestate)), isRemote: true };
  }
  return xrayContext(r.attributes?.AWSTraceHeader);
}

/**
 * Links to the trace context each message of a batch carries (semantic conventions, messaging
 * batch receive: the consumer span links to every message's context; none of them is its
 * parent), each with the message's `messaging.message.id`. Every record is read: the span keeps
 * `limits.linkCountLimit` of them and counts the rest as dropped (its `droppedLinksCount`, and
 * `link_limit`), as the SDK MUST (TR-06); stopped at the limit, they were lost unseen. Malformed
 * input is skipped, and a record that throws when read (a proxied event) ends the scan: the
 * invocation never fails for a link.
 */
export function messageLinks(records: readonly unknown[]): Link[] | undefined {
  let links: Link[] | undefined;
  try {
    for (let i = 0; i < records.length; i++) {
      const context = messageContext(records[i]);
      if (!context) continue;
      // Which message of the batch each link came from, as OpenTelemetry's Lambda instrumentation says it.
      const r = records[i] as { messageId?: unknown; Sns?: { MessageId?: unknown } };
      const id = r.messageId ?? r.Sns?.MessageId;
      (links ??= []).push(typeof id === 'string' ? { context, attributes: { 'messaging.message.id': id } } : { context });
    }
  } catch {
    // what was read so far is kept
  }
  return links;
}
