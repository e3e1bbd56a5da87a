import type { Attributes } from '../../../src/model/attributes.js';
import { SpanKind } from '../../../src/model/span-data.js';
import { normalizeMethod, serverSpanName } from '../../../src/http/request-attributes.js';
import type { Link } from '../../../src/trace/span.js';
import { messageLinks } from './message-links.js';

/** What an invocation's span looks like, derived from the Lambda event. */
export interface EventShape {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  /** Incoming headers (API Gateway), for `traceparent`. */
  readonly headers?: Record<string, string>;
  /** Each value of the headers an event gives apart (`multiValueHeaders`), for captureHeaders. */
  readonly headerValues?: Record<string, string[]>;
  /** `noStatus`: what the caller gets for a result without a statusCode (REST API and ALB: 502; HTTP API: 200 with payload 2.0, 500 with 1.0). */
  readonly http?: { method: string; route?: string; scheme: string; noStatus: number };
  /** SQS/SNS: the trace context each message carries, as links (at most the span's link limit). */
  readonly links?: Link[];
}

interface ApiGatewayV1 {
  httpMethod: string;
  path?: string;
  resource?: string;
  headers?: Record<string, string | undefined> | null;
  /** API Gateway REST APIs send both; an ALB target group with multi-value headers on only this. */
  multiValueHeaders?: Record<string, readonly string[] | undefined> | null;
  /** REST APIs send both, holding every value; an ALB target group with multi-value headers on only this. */
  multiValueQueryStringParameters?: Record<string, readonly string[] | undefined> | null;
  /** The last value of each parameter only. */
  queryStringParameters?: Record<string, string | undefined> | null;
  /** `path`: a REST API's path as the client asked for it (`/prod/orders/7`, the stage or a custom domain's base path included). */
  requestContext?: { protocol?: string; path?: string; identity?: { sourceIp?: string }; elb?: unknown };
}
interface ApiGatewayV2 {
  version: '2.0';
  routeKey?: string;
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  /** The request's cookies: an HTTP API (payload 2.0) or a function URL moves them out of `headers`. */
  cookies?: readonly string[];
  requestContext: { http: { method: string; path?: string; protocol?: string; sourceIp?: string; userAgent?: string } };
}

function lowerHeaders(h: Record<string, string | undefined> | null | undefined, multi?: ApiGatewayV1['multiValueHeaders'], values?: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  // Repeated headers as HTTP would combine them (two `traceparent`s make an invalid one, TC-08;
  // every `baggage` line counts, BG-02), read first: a REST API's `headers` keeps the last only.
  if (multi && typeof multi === 'object') {
    for (const [k, v] of Object.entries(multi)) {
      if (!Array.isArray(v) || !v.length) continue;
      const name = k.toLowerCase();
      // A name sent in two cases (`Baggage`, `baggage`) is one header.
      out[name] = out[name] === undefined ? v.join(', ') : `${out[name]}, ${v.join(', ')}`;
      // HTTP semconv: a captured header is the array of its values when they come apart.
      if (values) (values[name] ??= []).push(...v.map(String));
    }
  }
  if (h && typeof h === 'object') for (const [k, v] of Object.entries(h)) if (typeof v === 'string') out[k.toLowerCase()] ??= v;
  return out;
}

function isV2(e: unknown): e is ApiGatewayV2 {
  const x = e as ApiGatewayV2;
  return typeof x?.requestContext?.http?.method === 'string';
}
function isV1(e: unknown): e is ApiGatewayV1 {
  return typeof (e as ApiGatewayV1)?.httpMethod === 'string';
}

/**
 * The query string of a REST API or ALB event. The multi-value form holds every value of a
 * repeated parameter (the single-value form only the last) and is all an ALB with multi-value
 * headers sends. API Gateway decodes the values, an ALB passes them as the client sent them:
 * encoding an ALB's again would turn `%20` into `%2520`.
 */
function v1Query(event: ApiGatewayV1): string | undefined {
  const alb = event.requestContext?.elb !== undefined;
  const parts: string[] = [];
  const add = (k: string, v: string): void => {
    parts.push(alb ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  };
  const multi = event.multiValueQueryStringParameters;
  const single = event.queryStringParameters;
  if (multi && typeof multi === 'object') {
    for (const [k, vs] of Object.entries(multi)) if (Array.isArray(vs)) for (const v of vs) if (typeof v === 'string') add(k, v);
  }
  if (parts.length === 0 && single && typeof single === 'object') {
    for (const [k, v] of Object.entries(single)) if (typeof v === 'string') add(k, v);
  }
  return parts.length ? parts.join('&') : undefined;
}

export interface LambdaRecord {
  eventSource?: string;
  /** SNS spells it so. */
  EventSource?: string;
  eventSourceARN?: string;
  Sns?: { TopicArn?: string };
}

/** The queue, topic or stream a record came from: the last part of its ARN (`…:orders`, `…:stream/orders`); '' when it names none. */
export function recordDestination(r: LambdaRecord | null | undefined): string {
  const arn = r?.Sns ? r.Sns.TopicArn : r?.eventSourceARN;
  return typeof arn === 'string' ? arn.slice(arn.lastIndexOf(':') + 1).replace(/^stream\//, '') : '';
}

/** The DNS suffix of each AWS partition named in an ARN's second field. */
const PARTITION_DOMAIN: Record<string, string> = { aws: 'amazonaws.com', 'aws-us-gov': 'amazonaws.com', 'aws-cn': 'amazonaws.com.cn' };

/**
 * An SQS queue's endpoint (`server.address`, messaging conventions) and `aws.sqs.queue.url`, from
 * its ARN (`arn:aws:sqs:eu-west-1:123456789012:orders`); none for an ARN of another form.
 */
export function sqsQueue(arn: unknown): Attributes {
  const p = typeof arn === 'string' ? arn.split(':') : [];
  const domain = PARTITION_DOMAIN[p[1]!];
  if (p.length !== 6 || p[2] !== 'sqs' || !domain || !p[3] || !p[4] || !p[5]) return {};
  const host = `sqs.${p[3]}.${domain}`;
  return { 'server.address': host, 'aws.sqs.queue.url': `https://${host}/${p[4]}/${p[5]}` };
}

/** `messaging.system` as the semantic conventions spell it (SNS with a dot, SQS with an underscore; Kinesis has none listed). */
export const MESSAGING_SYSTEM: Record<string, string> = { sqs: 'aws_sqs', sns: 'aws.sns', kinesis: 'aws_kinesis' };

/**
 * A message-processing span's name and attributes (messaging and Lambda conventions): `process
 * <queue, topic or stream>`, or `process` when there is none; `faas.trigger` `pubsub` with a system.
 * The batch's span and each record's (`traceRecord`) are made alike.
 */
export function processSpan(system: string | undefined, destination: string): { name: string; attributes: Attributes } {
  const attributes: Attributes = { 'messaging.operation.type': 'process', 'messaging.operation.name': 'process' };
  if (system) {
    attributes['faas.trigger'] = 'pubsub';
    attributes['messaging.system'] = system;
  }
  if (destination) attributes['messaging.destination.name'] = destination;
  return { name: destination ? `process ${destination}` : 'process', attributes };
}

/**
 * API Gateway v1/v2 and function URLs get HTTP attributes; other events a FaaS trigger (semantic
 * conventions); SQS and SNS batches links to their messages' contexts (none when `linkLimit` is 0;
 * the span keeps `linkLimit` of them and counts the rest as dropped).
 */
export function eventShape(event: unknown, functionName: string, linkLimit = 0): EventShape {
  if (isV2(event) || isV1(event)) {
    const multi = isV2(event) ? undefined : event.multiValueHeaders;
    const headerValues: Record<string, string[]> | undefined = multi ? {} : undefined;
    const headers = lowerHeaders(event.headers, multi, headerValues);
    // Its Cookie header again (RFC 6265 joins cookie-pairs with '; '), for captureHeaders as instrument() sees it.
    if (isV2(event) && Array.isArray(event.cookies) && headers.cookie === undefined) {
      const cookie = event.cookies.filter((c) => typeof c === 'string' && c).join('; ');
      if (cookie) headers.cookie = cookie;
    }
    let method: string;
    let path: string | undefined;
    let route: string | undefined;
    let query: string | undefined;
    let client: string | undefined;
    const extra: Attributes = {};
    if (isV2(event)) {
      method = event.requestContext.http.method;
      path = event.rawPath ?? event.requestContext.http.path;
      const rk = event.routeKey && event.routeKey !== '$default' ? event.routeKey.split(' ').slice(1).join(' ') : undefined;
      route = rk || undefined;
      query = event.rawQueryString || undefined;
      client = event.requestContext.http.sourceIp;
    } else {
      method = event.httpMethod;
      // `event.path` is the resource's path, without the stage (`/orders/7`); url.path is what
      // the client asked for, as HTTP API's rawPath is. ALB events have only `path`, the client's.
      const asked = event.requestContext?.path;
      path = typeof asked === 'string' && asked ? asked : event.path;
      // The resource the event matched, `/{proxy+}` included (the route template, low in
      // cardinality), as an HTTP API's `ANY /{proxy+}` routeKey gives it.
      route = event.resource || undefined;
      query = v1Query(event);
      client = event.requestContext?.identity?.sourceIp;
    }
    const m = normalizeMethod(method);
    if (m !== method) extra['http.request.method_original'] = method;
    // Only http or https: any other text would be a new url.scheme label value on the server metrics.
    const scheme = headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() === 'http' ? 'http' : 'https';
    const attributes: Attributes = { 'faas.trigger': 'http', 'http.request.method': m, 'url.scheme': scheme, ...extra };
    if (path) attributes['url.path'] = path;
    if (route) attributes['http.route'] = route;
    if (query) attributes['url.query'] = query;
    if (headers['user-agent']) attributes['user_agent.original'] = headers['user-agent'];
    // Host is `name[:port]`: the semantic conventions keep the port apart, in server.port.
    const host = headers.host && /^(.*?)(?::(\d+))?$/.exec(headers.host)!;
    if (host) {
      attributes['server.address'] = host[1]!;
      if (host[2]) attributes['server.port'] = Number(host[2]);
    }
    if (client) attributes['client.address'] = client;
    return { name: serverSpanName(m, route), kind: SpanKind.SERVER, attributes, headers, headerValues, http: { method: m, route, scheme, noStatus: isV2(event) ? 200 : (event as { version?: unknown }).version === '1.0' ? 500 : 502 } };
  }
  const records = (event as { Records?: LambdaRecord[] })?.Records;
  const first = Array.isArray(records) && records.length ? records[0] : undefined;
  const source = first ? (first.eventSource ?? first.EventSource) : undefined;
  if (source === 'aws:sqs' || source === 'aws:sns' || source === 'aws:kinesis') {
    const system = source.slice(4);
    // The queue, topic or stream: the last part of its ARN (`…:orders`, `…:stream/orders`), when
    // every record that names one names the same (an event source mapping reads one queue).
    let destination = '';
    for (const r of records!) {
      const d = recordDestination(r);
      if (d && destination && d !== destination) {
        destination = '';
        break;
      }
      destination ||= d;
    }
    // Messaging conventions: `{operation} {destination}` (`process orders`), as the Lambda conventions' SQS example names it.
    const { name, attributes } = processSpan(MESSAGING_SYSTEM[system], destination);
    attributes['messaging.batch.message_count'] = records!.length;
    if (system === 'sqs' && destination) Object.assign(attributes, sqsQueue(records!.find((r) => recordDestination(r) === destination)?.eventSourceARN));
    // Not read at all where links are turned off (linkCountLimit 0); else all of them (see messageLinks).
    const links = linkLimit > 0 && system !== 'kinesis' ? messageLinks(records!) : undefined;
    return { name, kind: SpanKind.CONSUMER, attributes, headers: undefined, links };
  }
  // Any other trigger: the function's name (Lambda conventions: "Span name MUST be set to the function name").
  if (source === 'aws:s3' || source === 'aws:dynamodb') {
    return { name: functionName, kind: SpanKind.SERVER, attributes: { 'faas.trigger': 'datasource' } };
  }
  const e = event as { source?: string; 'detail-type'?: string; time?: unknown };
  if (e?.source === 'aws.events' || e?.['detail-type'] === 'Scheduled Event') {
    // The invocation time in ISO 8601 (FaaS conventions). EventBridge sends no cron expression
    // (only the rule's ARN in `resources`), so `faas.cron` is not set.
    const attributes: Attributes = { 'faas.trigger': 'timer' };
    // ISO 8601 in UTC, as the FaaS conventions give it: EventBridge's own form is kept, any other
    // form Date.parse reads ('Thu, 08 Oct 2015 16:53:06 GMT', a local offset) is converted.
    if (typeof e.time === 'string' && !Number.isNaN(Date.parse(e.time))) attributes['faas.time'] = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(e.time) ? e.time : new Date(e.time).toISOString();
    return { name: functionName, kind: SpanKind.SERVER, attributes };
  }
  return { name: functionName, kind: SpanKind.SERVER, attributes: { 'faas.trigger': 'other' } };
}

/**
 * The HTTP status of a handler's result for API Gateway or an ALB, `noStatus` when it has none (an
 * HTTP API answers 200 with payload format 2.0, which infers the response, and 500 with 1.0; a REST
 * API or an ALB 502). API Gateway also takes it as text (`'404'`, as
 * AWS's own blueprints write it).
 */
export function resultStatus(result: unknown, noStatus = 200): number {
  const code = (result as { statusCode?: unknown } | null | undefined)?.statusCode;
  const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d{3}$/.test(code) ? +code : NaN;
  // One that is no HTTP status (NaN, which the runtime sends as `null`; 0; 200.5) counts as none,
  // as the gateway takes it: a NaN would reach the span and a `null` label the metric.
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : noStatus;
}

/**
 * What a response-streaming handler set with `awslambda.HttpResponseStream.from(stream, { statusCode,
 * headers })`, to be read like a buffered result; undefined when it set none (Lambda then answers
 * 200). The runtime keeps it nowhere but in the hook that writes it, as JSON, before the stream's
 * first chunk (`_onBeforeFirstWrite`, still set after that write), so the hook is called here with
 * a `write` that only keeps what it is given: the stream is not touched.
 */
export function streamPrelude(stream: unknown): unknown {
  try {
    const hook = (stream as { _onBeforeFirstWrite?: unknown } | null | undefined)?._onBeforeFirstWrite;
    if (typeof hook !== 'function') return undefined;
    let prelude: unknown;
    hook((chunk: unknown) => ((prelude ??= chunk), true));
    return typeof prelude === 'string' ? JSON.parse(prelude) : undefined;
  } catch {
    return undefined; // a hook of another shape: the default status
  }
}

const INTEGRATION_TYPE = 'application/vnd.awslambda.http-integration-response';

type PreludeStream = { write?: unknown; setContentType?: unknown; _onBeforeFirstWrite?: unknown };

/**
 * Watches a response stream for the prelude that reaches the client, and returns what reads it
 * once the handler is done (as `streamPrelude`). The hook `awslambda.HttpResponseStream.from` sets
 * is not the only way a prelude is written: a handler may write it itself after setting the
 * integration content type (OpenNext does), or a hook may clear itself once it ran; read at the
 * end, either gave 200 whatever the client got. So the stream's first write (and the hook the
 * runtime calls in it) is watched: `write` and `setContentType` are wrapped until that write,
 * then the stream's own are put back, so only one call of each per invocation goes through this.
 * Where they cannot be wrapped (a frozen stream) or the first chunk is no prelude, the hook is
 * read at the end as before.
 */
export function watchPrelude(stream: unknown): () => unknown {
  const s = stream as PreludeStream;
  let integration = false;
  let seen = false;
  let first: unknown;
  let undo: (() => void) | undefined;
  try {
    const write = s.write;
    const setType = s.setContentType;
    if (typeof write !== 'function') return () => streamPrelude(stream);
    const own = (key: string): boolean => Object.prototype.hasOwnProperty.call(s, key);
    const ownWrite = own('write');
    const ownSetType = own('setContentType');
    // Put back only while they are still these: a method the app set since stays.
    let writing: unknown;
    let typing: unknown;
    undo = () => {
      undo = undefined;
      try {
        if (s.write === writing) {
          if (ownWrite) s.write = write;
          else delete s.write;
        }
        if (typing !== undefined && s.setContentType === typing) {
          if (ownSetType) s.setContentType = setType;
          else delete s.setContentType;
        }
      } catch {
        // a stream that took the wrappers but will not give them back: they only pass calls on
      }
    };
    if (typeof setType === 'function') {
      s.setContentType = typing = function (this: unknown, ...a: unknown[]): unknown {
        const r = (setType as (...x: unknown[]) => unknown).apply(this, a);
        integration = typeof a[0] === 'string' && a[0].toLowerCase() === INTEGRATION_TYPE;
        return r;
      };
    }
    s.write = writing = function (this: unknown, ...a: unknown[]): unknown {
      if (undo === undefined) return (write as (...x: unknown[]) => unknown).apply(this, a);
      let hook: unknown;
      let watching: ((w: (c: unknown) => unknown) => unknown) | undefined;
      try {
        hook = s._onBeforeFirstWrite;
        if (typeof hook === 'function') {
          // The runtime calls the hook in this write, before the chunk: what it writes first is the prelude.
          const watch = function (this: unknown, w: (c: unknown) => unknown): unknown {
            return (hook as (w: (c: unknown) => unknown) => unknown).call(this, (c) => (seen || ((seen = true), (first = c)), w(c)));
          };
          s._onBeforeFirstWrite = watch;
          watching = watch;
        }
      } catch {
        // a hook that cannot be read or replaced: the write goes on, read at the end as before
        hook = undefined;
        seen = true;
      }
      try {
        return (write as (...x: unknown[]) => unknown).apply(this, a);
      } finally {
        try {
          if (watching !== undefined && s._onBeforeFirstWrite === watching) s._onBeforeFirstWrite = hook;
        } catch {
          // left as it is: it still calls the hook
        }
        // Without a hook, this chunk is the first the client gets.
        if (watching === undefined && !seen) ((seen = true), (first = a[0]));
        undo?.();
      }
    };
  } catch {
    undo?.();
    return () => streamPrelude(stream);
  }
  return () => {
    undo?.();
    return (integration && seen ? preludeOf(first) : undefined) ?? streamPrelude(stream);
  };
}

/** A prelude chunk (text, or bytes up to the delimiter's first NUL) as its JSON object; undefined when it is none. */
function preludeOf(chunk: unknown): unknown {
  try {
    let text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? new TextDecoder().decode(chunk) : undefined;
    if (text === undefined) return undefined;
    const end = text.indexOf('\0');
    if (end >= 0) text = text.slice(0, end);
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The headers of an API Gateway / ALB result, lower-cased: a `headers` value as one item, the
 * values of `multiValueHeaders` apart, Set-Cookie lines (an HTTP API's `cookies`) too. A name in
 * both is sent as API Gateway merges them: the multi-value list, and the single value if it is not
 * in that list.
 */
export function resultHeaders(result: unknown): Record<string, string | string[]> {
  const r = result as { headers?: Record<string, unknown> | null; multiValueHeaders?: Record<string, unknown> | null; cookies?: unknown } | null | undefined;
  const out: Record<string, string | string[]> = {};
  if (typeof r !== 'object' || r === null) return out;
  const single = r.headers;
  if (single && typeof single === 'object') {
    for (const [k, v] of Object.entries(single)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k.toLowerCase()] = String(v);
  }
  const multi = r.multiValueHeaders;
  if (multi && typeof multi === 'object') {
    const merged: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(multi)) {
      if (!Array.isArray(v) || !v.length) continue;
      // A name sent in two cases (`X-Cache`, `x-cache`) is one header.
      (merged[k.toLowerCase()] ??= []).push(...v.map(String));
    }
    for (const [name, list] of Object.entries(merged)) {
      const one = out[name];
      out[name] = typeof one === 'string' && !list.includes(one) ? [...list, one] : list;
    }
  }
  if (Array.isArray(r.cookies) && r.cookies.length) out['set-cookie'] ??= r.cookies.map(String);
  return out;
}

/** Records the allow-listed `names` of lower-cased `headers` as `<prefix><name>` (captureHeaders). */
export function captureHeaders(attributes: Record<string, unknown>, prefix: string, headers: Record<string, string | string[]>, names: readonly string[]): void {
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const name = n.toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(headers, name)) continue;
    const v = headers[name];
    // HTTP semconv: an array of strings, each value apart where the event gives them apart
    // (multiValueHeaders, Set-Cookie lines), else the one value it gives (repeated ones joined by ", ").
    if (typeof v === 'string') attributes[prefix + name] = [v];
    else if (Array.isArray(v)) attributes[prefix + name] = v;
  }
}
