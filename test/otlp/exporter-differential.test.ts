/**
 * OTLP/HTTP exporter differential test: each scenario is a set of OTEL_EXPORTER_OTLP_* variables
 * and a scripted collector (one answer per request, the last one repeated), run two ways: with
 * `@opentelemetry/exporter-trace-otlp-http` 0.223.1 in a child process whose env is the
 * scenario's (fixtures/otlp-exporter-reference.cjs), and with
 * `new OtlpBackend(otlpOptionsFromEnv(env))` under a test monitor here. What each collector saw
 * (method, path, content type and encoding, user agent, the other headers, spans in the body),
 * the export's result (success / failure) and the timeout each side resolved are normalised and
 * must be equal, apart from the differences listed in ACCEPTED: one that disappears, or a new
 * one, fails the test.
 *
 * Our retries are sped up through `retry` options (the SDK's backoff is fixed at 1 s, so a
 * scenario retries without Retry-After at most once); no timing is asserted.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { OtlpBackend, otlpOptionsFromEnv } from '../../src/exporters/otlp/index.js';
import { createTestMonitor } from '../../src/testing/index.js';
import { closedPort, listenOnLoopback } from '../../runtimes/test-support/loopback.js';
import { decodeProto } from './helpers/proto-decoder.js';

/** What the collector does with one request. */
type Answer =
  /** `big`: that many bytes of body, written in chunks (no Content-Length unless given). */
  | { status: number; headers?: Record<string, string>; body?: string; big?: number }
  /** Never answers. */
  | 'hang'
  /** Closes the connection without an answer. */
  | 'drop'
  /** 200 and a Content-Length, then part of the body and the connection closed. */
  | 'cut-body'
  /** Bytes that are no HTTP response. */
  | 'garbage';

type Env = Record<string, string>;
interface Scenario {
  /** The variables, given the collector's base URL (`http://127.0.0.1:<port>`). */
  env(base: string): Env;
  /** Default: a 200 with `{}`. The last answer repeats. */
  answers?: Answer[];
  /** Keys of ACCEPTED: differences expected in this scenario, applied to our side in order. */
  accepted?: (keyof typeof ACCEPTED)[];
}

interface Req {
  method: string;
  path: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** The User-Agent with the exporter's own product token as `<exporter>`. */
  userAgent: string | undefined;
  /** Every other header but those each HTTP client adds on its own (TRANSPORT). */
  headers: Record<string, string>;
  /** Spans in the decoded body, or the decoding error. */
  spans: number | string;
}
interface Observed {
  requests: Req[];
  result: 'success' | 'failure';
  /** The traces timeout each side resolved from the env, in ms (0: no limit). */
  timeoutMs: number;
}

const OK: Answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
const status = (code: number, headers: Record<string, string> = {}, body = ''): Answer => ({ status: code, headers, body });
const rpcStatus = (code: number) => status(code, { 'content-type': 'application/json' }, JSON.stringify({ code: 3, message: `bad ${code}` }));
/** The generic endpoint and JSON: the reference package speaks JSON only (see ACCEPTED.protocol). */
const json = (base: string, more: Env = {}): Env => ({ OTEL_EXPORTER_OTLP_ENDPOINT: base, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', ...more });
const SPECIFIC = 'OTEL_EXPORTER_OTLP_TRACES_';
const G = 'OTEL_EXPORTER_OTLP_';
const httpDate = (offsetMs: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + offsetMs).toUTCString();
let downPort = 0;

/**
 * Differences that remain, each with its reason. `apply` turns our observation into what the
 * reference showed, so the rest of the scenario is still compared.
 */
const ACCEPTED = {
  // ENV-02: `v1/traces` is appended to the base URL's path. The SDK appends it to the string,
  // after the query: `/?tenant=a/v1/traces` posts to `/` with a mangled query value. Ours is right.
  queryAfterPath: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, path: r.path.replace(/^(.*)\/v1\/traces(\?.*)$/, '$1/$2/v1/traces') })) }),
  },
  // The SDK parses the header list as W3C baggage and cuts `;…` off as baggage metadata; ENV-03
  // says metadata is not supported. Ours keeps the value as written (as the Go SDK does): a
  // credential with a `;` is not silently cut.
  semicolonKept: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.split(';')[0]!])) })) }),
  },
  // A per-signal endpoint that is no http(s) URL (`host:4318/v1/traces`, no scheme) is warned
  // about and ignored (ENV-13): the signal goes to the generic endpoint. The SDK takes
  // `host:` as the URL's scheme and every export fails without a request.
  schemelessEndpointIgnored: { apply: (o: Observed): Observed => ({ ...o, requests: [], result: 'failure' }) },
  // `k=` sends `k` with an empty value (as the Go and Python SDKs do); the SDK leaves it out.
  emptyValueSent: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([, v]) => v !== '')) })) }),
  },
  // A header name is taken as written (a token; `%` is a token character), as the Go SDK does; the
  // SDK percent-decodes names too. Only values are percent-encoded (ENV-03 [impl]).
  nameNotDecoded: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [decodeURIComponent(k).toLowerCase(), v])) })) }),
  },
  // A pair no request can carry (a name with a space, a value with a newline) is skipped with a
  // warning (ENV-13) and the rest are sent. The SDK hands it to node:http, which throws: every
  // export fails without a request.
  unsendableHeaderSkipped: {
    apply: (o: Observed): Observed => ({ ...o, requests: [], result: 'failure' }),
  },
  // OTLP-12 lets a distribution name go in front of the exporter's User-Agent: a `user-agent`
  // header given by the user goes in front of ours. The SDK replaces it with its own.
  userAgentPrefix: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, userAgent: r.userAgent?.replace(/^.* <exporter>$/, '<exporter>') })) }),
  },
  // ENV-13: enum values are case-insensitive; `GZIP` is gzip here. The SDK warns and sends
  // uncompressed.
  enumCase: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, contentEncoding: undefined })) }),
  },
  // The JS SDK chooses the protocol by package (exporter-trace-otlp-http is JSON only, -proto is
  // protobuf) and ignores OTEL_EXPORTER_OTLP_PROTOCOL; ours reads it, with http/protobuf as the
  // default (ENV-06).
  protocol: {
    apply: (o: Observed): Observed => ({ ...o, requests: o.requests.map((r) => ({ ...r, contentType: 'application/json' })) }),
  },
  // ENV-04: a timeout of 0 SHOULD mean no limit, as here. The SDK warns and uses 10000.
  zeroTimeout: { apply: (o: Observed): Observed => ({ ...o, timeoutMs: 10000 }) },
  // ENV-13: timeouts are integer milliseconds; `2000.5` is warned about and ignored here (10000),
  // taken by the SDK.
  fractionalTimeout: { apply: (o: Observed): Observed => ({ ...o, timeoutMs: 2000.5 }) },
  // Both retry a retryable status a bounded number of times: 5 attempts in all here
  // (`retry.maxAttempts`, and always within the timeout), 1 + 5 retries in the SDK.
  attempts: {
    apply: (o: Observed): Observed => ({ ...o, requests: [...o.requests, o.requests.at(-1)!] }),
  },
  // RFC 9110 delay-seconds is digits only: `2.5` is no Retry-After here, so the retry follows the
  // backoff (OTLP-10). The SDK reads it with parseInt as 2 s, past its 1 s timeout, and gives up.
  retryAfterDigitsOnly: { apply: (o: Observed): Observed => ({ ...o, requests: o.requests.slice(0, 1), result: 'failure' }) },
  // Every network error is retried here (fetch does not say which one it was; OTLP-10 retries
  // dropped connections); the SDK retries only some socket codes, not a malformed response.
  networkErrorsRetried: { apply: (o: Observed): Observed => ({ ...o, requests: o.requests.slice(0, 1), result: 'failure' }) },
  // A 200 whose partial_success rejects items (OTLP-07) is never retried by either side. The SDK
  // logs it and reports success; here the rejected spans are counted as lost (export_rejected,
  // lexigram_monitor_dropped_total), so the export reports a failure for them.
  partialSuccessCounted: { apply: (o: Observed): Observed => ({ ...o, result: 'success' }) },
  // A 2xx whose body is still coming at the timeout was delivered (the collector took the batch),
  // as one cut off mid-body is on both sides: a success here, so a metrics delta is not kept and
  // sent again (summed twice). The SDK's timeout makes it a failure.
  deliveredBodyUnread: { apply: (o: Observed): Observed => ({ ...o, result: 'failure' }) },
} satisfies Record<string, { apply(o: Observed): Observed }>;

const scenarios: Record<string, Scenario> = {
  // Endpoint resolution (ENV-01, ENV-02)
  'ENDPOINT without a trailing slash': { env: (u) => json(u) },
  'ENDPOINT with a trailing slash': { env: (u) => json(u + '/') },
  'ENDPOINT with a path': { env: (u) => json(u + '/custom/otlp') },
  'ENDPOINT with a path and a trailing slash': { env: (u) => json(u + '/custom/') },
  'ENDPOINT with a query': { env: (u) => json(u + '/?tenant=a'), accepted: ['queryAfterPath'] },
  'TRACES_ENDPOINT used as is': { env: (u) => ({ [SPECIFIC + 'ENDPOINT']: u + '/custom/path', [G + 'PROTOCOL']: 'http/json' }) },
  'TRACES_ENDPOINT without a path gets /': { env: (u) => ({ [SPECIFIC + 'ENDPOINT']: u, [G + 'PROTOCOL']: 'http/json' }) },
  'TRACES_ENDPOINT with a trailing slash kept': { env: (u) => ({ [SPECIFIC + 'ENDPOINT']: u + '/x/v1/traces/', [G + 'PROTOCOL']: 'http/json' }) },
  'ENDPOINT and TRACES_ENDPOINT: the specific one wins': { env: (u) => json(u + '/generic', { [SPECIFIC + 'ENDPOINT']: u + '/specific' }) },
  'ENDPOINT with user:password@': { env: (u) => json(u.replace('//', '//user:p%40ss@')) },
  'METRICS_* variables leave traces alone': {
    env: (u) => json(u, { [G + 'METRICS_ENDPOINT']: u + '/m', [G + 'METRICS_HEADERS']: 'x-m=1', [G + 'METRICS_TIMEOUT']: '1', [G + 'METRICS_COMPRESSION']: 'gzip' }),
  },
  'TRACES_ENDPOINT without a scheme, ENDPOINT set': {
    env: (u) => json(u, { [SPECIFIC + 'ENDPOINT']: u.replace('http://127.0.0.1', 'localhost') + '/v1/traces' }),
    accepted: ['schemelessEndpointIgnored'],
  },
  'ENDPOINT not a URL, TRACES_ENDPOINT set': { env: (u) => json('not a url', { [SPECIFIC + 'ENDPOINT']: u + '/v1/traces' }) },

  // Headers (ENV-03)
  'HEADERS: percent-encoding, spaces, = in values, malformed pairs': {
    env: (u) => json(u, { [G + 'HEADERS']: 'api-key=a%20b%2Cc, x-tenant = t1 ,x-eq=a=b==,badpair,=novalue,x-bad=%zz,,x-last=%C3%A9' }),
  },
  'TRACES_HEADERS merged over HEADERS, names in any case': {
    env: (u) => json(u, { [G + 'HEADERS']: 'x-tenant=generic,x-common=1', [SPECIFIC + 'HEADERS']: 'X-Tenant=specific' }),
  },
  'a header value with ;': { env: (u) => json(u, { [G + 'HEADERS']: 'authorization=Basic abc;x=1' }), accepted: ['semicolonKept'] },
  'a header with an empty value': { env: (u) => json(u, { [G + 'HEADERS']: 'x-empty=,x-k=v' }), accepted: ['emptyValueSent'] },
  'a percent-encoded header name': { env: (u) => json(u, { [G + 'HEADERS']: 'x-k%41=1' }), accepted: ['nameNotDecoded'] },
  'a header name with a space': { env: (u) => json(u, { [G + 'HEADERS']: 'x y=1,x-ok=1' }), accepted: ['unsendableHeaderSkipped'] },
  'a header value with a newline': { env: (u) => json(u, { [G + 'HEADERS']: 'x-nl=a%0Ab,x-ok=1' }), accepted: ['unsendableHeaderSkipped'] },
  'Content-Type and User-Agent in HEADERS': {
    env: (u) => json(u, { [G + 'HEADERS']: 'content-type=text/plain,user-agent=my-app/1' }),
    accepted: ['userAgentPrefix'],
  },

  // Compression (ENV-05, OTLP-04)
  'COMPRESSION=gzip': { env: (u) => json(u, { [G + 'COMPRESSION']: 'gzip' }) },
  'TRACES_COMPRESSION=none over COMPRESSION=gzip': { env: (u) => json(u, { [G + 'COMPRESSION']: 'gzip', [SPECIFIC + 'COMPRESSION']: 'none' }) },
  'TRACES_COMPRESSION invalid, COMPRESSION=gzip': { env: (u) => json(u, { [G + 'COMPRESSION']: 'gzip', [SPECIFIC + 'COMPRESSION']: 'br' }) },
  'COMPRESSION=GZIP (upper case)': { env: (u) => json(u, { [G + 'COMPRESSION']: 'GZIP' }), accepted: ['enumCase'] },

  // Protocol (ENV-06, OTLP-03)
  'PROTOCOL=http/protobuf': { env: (u) => json(u, { [G + 'PROTOCOL']: 'http/protobuf' }), accepted: ['protocol'] },
  'PROTOCOL unset': { env: (u) => ({ [G + 'ENDPOINT']: u }), accepted: ['protocol'] },
  'TRACES_PROTOCOL=http/json over PROTOCOL=http/protobuf': { env: (u) => json(u, { [G + 'PROTOCOL']: 'http/protobuf', [SPECIFIC + 'PROTOCOL']: 'http/json' }) },

  // Timeout (ENV-04)
  'TIMEOUT=300, a collector that never answers': { env: (u) => json(u, { [G + 'TIMEOUT']: '300' }), answers: ['hang'] },
  'TRACES_TIMEOUT=300 over TIMEOUT=60000, never answers': { env: (u) => json(u, { [G + 'TIMEOUT']: '60000', [SPECIFIC + 'TIMEOUT']: '300' }), answers: ['hang'] },
  'TIMEOUT=300, a 200 whose body never ends': { env: (u) => json(u, { [G + 'TIMEOUT']: '300' }), answers: [{ status: 200, headers: { 'content-type': 'application/json', 'content-length': '100' }, body: '{' }], accepted: ['deliveredBodyUnread'] },
  'TIMEOUT=300, a 503 whose body never ends': {
    env: (u) => json(u, { [G + 'TIMEOUT']: '300' }),
    answers: [{ status: 503, headers: { 'retry-after': '0', 'content-length': '100' }, body: '{' }, OK],
  },
  'TIMEOUT=0': { env: (u) => json(u, { [G + 'TIMEOUT']: '0' }), accepted: ['zeroTimeout'] },
  'TIMEOUT=0, 429 with Retry-After: 120': { env: (u) => json(u, { [G + 'TIMEOUT']: '0' }), answers: [status(429, { 'retry-after': '120' })], accepted: ['zeroTimeout'] },
  'TIMEOUT=-5': { env: (u) => json(u, { [G + 'TIMEOUT']: '-5' }) },
  'TIMEOUT=abc': { env: (u) => json(u, { [G + 'TIMEOUT']: 'abc' }) },
  'TIMEOUT=2000.5': { env: (u) => json(u, { [G + 'TIMEOUT']: '2000.5' }), accepted: ['fractionalTimeout'] },

  // Retries (OTLP-09, OTLP-10)
  ...Object.fromEntries(
    [429, 502, 503, 504].map((code): [string, Scenario] => [`${code} with Retry-After: 0, then 200`, { env: (u) => json(u), answers: [status(code, { 'retry-after': '0' }), OK] }]),
  ),
  'COMPRESSION=gzip, 503 with Retry-After: 0, then 200': { env: (u) => json(u, { [G + 'COMPRESSION']: 'gzip' }), answers: [status(503, { 'retry-after': '0' }), OK] },
  '503 every time, Retry-After: 0': { env: (u) => json(u), answers: [status(503, { 'retry-after': '0' })], accepted: ['attempts'] },
  '429 without Retry-After, then 200': { env: (u) => json(u), answers: [status(429), OK] },
  '503 with Retry-After: 1, then 200': { env: (u) => json(u), answers: [status(503, { 'retry-after': '1' }), OK] },
  '429 with Retry-After a past HTTP-date, then 200': { env: (u) => json(u), answers: [status(429, { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), OK] },
  '503 with Retry-After an HTTP-date past the timeout': {
    env: (u) => json(u, { [G + 'TIMEOUT']: '2000' }),
    answers: [status(503, { 'retry-after': httpDate(120_000) })],
  },
  '429 with Retry-After: 120, past the timeout': { env: (u) => json(u, { [G + 'TIMEOUT']: '2000' }), answers: [status(429, { 'retry-after': '120' })] },
  '429 with Retry-After: 2.5 (not delay-seconds), TIMEOUT=1000, then 200': {
    env: (u) => json(u, { [G + 'TIMEOUT']: '1000' }),
    answers: [status(429, { 'retry-after': '2.5' }), OK],
    accepted: ['retryAfterDigitsOnly'],
  },
  'a malformed HTTP response, then 200': { env: (u) => json(u), answers: ['garbage', OK], accepted: ['networkErrorsRetried'] },
  '503 with a 5 MiB body, no Content-Length, Retry-After: 0': { env: (u) => json(u), answers: [{ status: 503, headers: { 'retry-after': '0' }, big: 5 << 20 }, OK] },
  '503 with a 5 MiB body and its Content-Length, Retry-After: 0': {
    env: (u) => json(u),
    answers: [{ status: 503, headers: { 'retry-after': '0', 'content-length': String(5 << 20) }, big: 5 << 20 }, OK],
  },
  '200 with a 5 MiB body, no Content-Length': { env: (u) => json(u), answers: [{ status: 200, headers: { 'content-type': 'application/json' }, big: 5 << 20 }, OK] },
  'a dropped connection, then 200': { env: (u) => json(u), answers: ['drop', OK] },
  'a collector that is down': { env: () => ({ [SPECIFIC + 'ENDPOINT']: `http://127.0.0.1:${downPort}/v1/traces`, [G + 'PROTOCOL']: 'http/json', [G + 'TIMEOUT']: '500' }) },

  // Final answers (OTLP-06…09)
  ...Object.fromEntries([400, 401, 404, 413, 500].map((code): [string, Scenario] => [`${code}, not retried`, { env: (u) => json(u), answers: [rpcStatus(code), OK] }])),
  '200 with partial_success rejecting spans': {
    env: (u) => json(u),
    answers: [status(200, { 'content-type': 'application/json' }, JSON.stringify({ partialSuccess: { rejectedSpans: '1', errorMessage: 'quota' } })), OK],
    accepted: ['partialSuccessCounted'],
  },
  '200 with a partial_success warning only': {
    env: (u) => json(u),
    answers: [status(200, { 'content-type': 'application/json' }, JSON.stringify({ partialSuccess: { errorMessage: 'slow down' } })), OK],
  },
  '200 with an empty body': { env: (u) => json(u), answers: [status(200, { 'content-type': 'application/json' }), OK] },
  '200 with a garbage body': { env: (u) => json(u), answers: [status(200, { 'content-type': 'application/json' }, 'not json <html>'), OK] },
  '202 with no content type': { env: (u) => json(u), answers: [status(202), OK] },
  '200 cut off mid-body': { env: (u) => json(u), answers: ['cut-body', OK] },
  '307 redirect, not followed': { env: (u) => json(u), answers: [status(307, { location: '/elsewhere' }), OK] },
  '301 redirect, not followed': { env: (u) => json(u), answers: [status(301, { location: '/elsewhere' }), OK] },
};

/** Headers each client adds on its own (node:http, undici's fetch), not exporter behaviour. */
const TRANSPORT = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'accept', 'accept-language', 'sec-fetch-mode', 'accept-encoding', 'user-agent', 'content-type', 'content-encoding']);
const OWN_AGENT = /(OTel-OTLP-Exporter-JavaScript|lexigram-monitor-otlp)\/\S+/;

function spansIn(type: string | undefined, body: Buffer): number | string {
  try {
    if (type?.includes('json')) {
      const d = JSON.parse(body.toString('utf8')) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
      return d.resourceSpans.flatMap((r) => r.scopeSpans).flatMap((s) => s.spans).length;
    }
    const d = decodeProto('traces', body) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
    return d.resourceSpans.flatMap((r) => r.scopeSpans).flatMap((s) => s.spans).length;
  } catch (err) {
    return `undecodable: ${String(err)}`;
  }
}

function record(req: IncomingMessage, raw: Buffer): Req {
  const h = req.headers;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (!TRANSPORT.has(k)) headers[k] = String(v);
  let body = raw;
  try {
    if (h['content-encoding'] === 'gzip') body = gunzipSync(raw);
  } catch {
    // counted as undecodable below
  }
  return {
    method: req.method!,
    path: req.url!,
    contentType: h['content-type'],
    contentEncoding: h['content-encoding'],
    userAgent: h['user-agent']?.replace(OWN_AGENT, '<exporter>'),
    headers,
    spans: spansIn(h['content-type'], body),
  };
}

function answer(a: Answer, res: ServerResponse): void {
  if (a === 'hang') return;
  if (a === 'drop') return void res.socket?.destroy();
  if (a === 'garbage') return void res.socket?.end('HTTP/1.1 abc\r\n\r\n');
  if (a === 'cut-body') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"partial');
    setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  res.writeHead(a.status, a.headers);
  if (a.big) {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let n = 0; n < a.big; n += chunk.length) res.write(chunk);
    return void res.end();
  }
  // A declared length longer than the body: the rest never comes (the slow-body scenario).
  if (a.headers?.['content-length']) res.write(a.body ?? '');
  else res.end(a.body ?? '');
}

/** A collector that answers from the script and records what it saw. */
async function collector(answers: Answer[]) {
  const requests: Req[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(record(req, Buffer.concat(chunks)));
      answer(answers[Math.min(requests.length - 1, answers.length - 1)]!, res);
    });
  });
  const loop = await listenOnLoopback(server);
  return { url: loop.url, requests, close: loop.close };
}

const FIXTURE = join(import.meta.dirname, 'fixtures', 'otlp-exporter-reference.cjs');

async function runReference(s: Scenario): Promise<Observed & { warnings: string[] }> {
  const c = await collector(s.answers ?? [OK]);
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      // Only the scenario's variables: none of this process's OTEL_* reach the SDK.
      execFile(process.execPath, [FIXTURE], { env: { PATH: process.env.PATH, ...s.env(c.url) }, timeout: 20_000 }, (err, out) => (err ? reject(err) : resolve(out)));
    });
    const out = JSON.parse(stdout) as { result: 'success' | 'failure'; timeoutMillis: number; warnings: string[] };
    return { requests: [...c.requests], result: out.result, timeoutMs: out.timeoutMillis, warnings: out.warnings };
  } finally {
    await c.close();
  }
}

async function runOurs(s: Scenario): Promise<Observed & { warnings: string[] }> {
  const c = await collector(s.answers ?? [OK]);
  const warnings: string[] = [];
  try {
    const options = otlpOptionsFromEnv(s.env(c.url), (m) => warnings.push(m));
    const otlp = new OtlpBackend({ ...options, signals: ['traces'], retry: { initialBackoffMs: 5, maxBackoffMs: 20 } });
    const { monitor } = createTestMonitor({ backends: [otlp] });
    monitor.tracer.startSpan('work').end();
    const flushed = await monitor.flush();
    const requests = [...c.requests];
    await monitor.shutdown();
    const ok = flushed.backends.find((b) => b.name === 'otlp')?.ok;
    return { requests, result: ok ? 'success' : 'failure', timeoutMs: options.tracesTimeoutMs ?? options.timeoutMs ?? 10000, warnings };
  } finally {
    await c.close();
  }
}

const results = new Map<string, { reference: Observed; ours: Observed }>();

beforeAll(async () => {
  downPort = await closedPort();
  const names = Object.keys(scenarios);
  // A few at a time: each reference run is a Node process, and the retry scenarios wait.
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const s = scenarios[names[i]!]!;
      const [reference, ours] = await Promise.all([runReference(s), runOurs(s)]);
      results.set(names[i]!, { reference, ours });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}, 60_000);

const strip = ({ requests, result, timeoutMs }: Observed): Observed => ({ requests, result, timeoutMs });

describe('OTLP/HTTP exporter: ours against @opentelemetry/exporter-trace-otlp-http 0.223.1', () => {
  for (const [name, s] of Object.entries(scenarios)) {
    test(name, () => {
      const r = results.get(name)!;
      const reference = strip(r.reference);
      const ours = strip(r.ours);
      // Every scenario sends the span somewhere or fails without a request.
      for (const req of [...reference.requests, ...ours.requests]) expect(req.spans).toBe(1);
      if (s.accepted?.length) {
        // The accepted difference is still there: if it goes, its entry goes too.
        expect(ours).not.toEqual(reference);
        expect(s.accepted.reduce((o, k) => ACCEPTED[k].apply(o), ours)).toEqual(reference);
      } else {
        expect(ours).toEqual(reference);
      }
    });
  }

  test('every ACCEPTED difference is used by a scenario', () => {
    const used = new Set(Object.values(scenarios).flatMap((s) => s.accepted ?? []));
    expect(Object.keys(ACCEPTED).filter((k) => !used.has(k as keyof typeof ACCEPTED))).toEqual([]);
  });
});
