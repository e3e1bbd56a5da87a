/**
 * A response-streaming handler's status, as the client gets it: the prelude the stream carried
 * before its body, however it was written.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { wrapFunction } from '../index.js';
import { resetColdStart } from '../src/wrap-function.js';

afterEach(() => resetColdStart());

const INTEGRATION = 'application/vnd.awslambda.http-integration-response';
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const context = (id: string) => ({ awsRequestId: id, functionName: 'web', getRemainingTimeInMillis: () => 10_000 });
const event = (path: string) => ({ version: '2.0', rawPath: path, rawQueryString: '', headers: { host: 'abc.lambda-url.eu-west-1.on.aws' }, requestContext: { http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1' }, domainName: 'abc.lambda-url.eu-west-1.on.aws', stage: '$default', requestId: 'x' } });

type Stream = { write(c: unknown, ...rest: unknown[]): boolean; end(...a: unknown[]): void; on(...a: unknown[]): unknown; setContentType(t: string): void; _onBeforeFirstWrite?: unknown };

/**
 * The object the runtime hands a streaming handler (ResponseStream.js, stream/response-stream.ts):
 * bound methods of an inner request whose `write` calls `_onBeforeFirstWrite` before the first
 * chunk only, and that hook as an accessor of the inner one's.
 */
function runtimeStream(): { stream: Stream; sent: () => { contentType: string; body: string } } {
  const chunks: Buffer[] = [];
  let contentType = 'application/octet-stream';
  let ready = true;
  const inner = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(Buffer.from(c)), cb()) }) as Writable & { setContentType(t: string): void; _onBeforeFirstWrite?: (w: (c: unknown) => void) => void };
  inner.setContentType = (t) => {
    if (!ready) throw new Error('Cannot set content-type, too late.');
    contentType = t;
  };
  const write = inner.write.bind(inner);
  inner.write = ((chunk: unknown, ...rest: never[]) => {
    if (ready && typeof inner._onBeforeFirstWrite === 'function') inner._onBeforeFirstWrite((c) => write(c as Buffer));
    ready = false;
    return write(chunk as Buffer, ...rest);
  }) as typeof inner.write;
  const stream = Object.fromEntries(['write', 'end', 'on', 'once', 'emit', 'removeListener', 'setContentType'].map((m) => [m, (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!.bind(inner)])) as unknown as Stream;
  Object.defineProperty(stream, '_onBeforeFirstWrite', { get: () => inner._onBeforeFirstWrite, set: (v) => (inner._onBeforeFirstWrite = v) });
  Object.defineProperty(stream, 'writable', { get: () => inner.writable });
  return { stream, sent: () => ({ contentType, body: Buffer.concat(chunks).toString().replace(/\0/g, '.') }) };
}

const streamed = (fn: (e: { rawPath: string }, rs: Stream) => Promise<void>) => Object.assign((e: { rawPath: string }, rs: Stream, _c: unknown) => fn(e, rs), { [STREAMING]: 'response' });

test('a prelude written by hand after setting the integration content type (as OpenNext does) gives the status the client got, not 200; a body that is no prelude is still 200', async () => {
  const { monitor, memory } = createTestMonitor();
  const handler = wrapFunction(
    streamed(async (e, rs) => {
      if (e.rawPath !== '/plain') {
        rs.setContentType(INTEGRATION);
        rs.write(JSON.stringify({ statusCode: e.rawPath === '/missing' ? 404 : 500, headers: { 'content-type': 'text/html' } }));
        rs.write(new Uint8Array(8));
      }
      // A JSON body of its own, without the integration type: no prelude.
      rs.end(e.rawPath === '/plain' ? '{"statusCode":503}' : 'page');
    }),
    monitor,
  );
  const sent = [];
  for (const path of ['/missing', '/broken', '/plain']) {
    const { stream, sent: body } = runtimeStream();
    await handler(event(path), stream, context(path));
    sent.push(body());
  }
  expect(sent).toEqual([
    { contentType: INTEGRATION, body: '{"statusCode":404,"headers":{"content-type":"text/html"}}........page' },
    { contentType: INTEGRATION, body: '{"statusCode":500,"headers":{"content-type":"text/html"}}........page' },
    { contentType: 'application/octet-stream', body: '{"statusCode":503}' },
  ]);
  expect(memory.spans.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.attributes['error.type']])).toEqual([
    ['/missing', 404, undefined],
    ['/broken', 500, '500'],
    ['/plain', 200, undefined],
  ]);
});

test('a hook cleared once it wrote the prelude still gives the status it wrote; the stream gets its own methods back after the first write', async () => {
  const { monitor, memory } = createTestMonitor();
  let methods: unknown[] = [];
  const handler = wrapFunction(
    streamed(async (_e, rs) => {
      rs.setContentType(INTEGRATION);
      rs._onBeforeFirstWrite = (write: (c: unknown) => void) => {
        write(JSON.stringify({ statusCode: 429 }));
        write(new Uint8Array(8));
        rs._onBeforeFirstWrite = undefined; // a hook that clears itself once it ran
      };
      await pipeline(Readable.from(['slow ', 'down']), rs as never);
      methods = [rs.write, rs.setContentType];
    }),
    monitor,
  );
  const { stream, sent } = runtimeStream();
  const own = [stream.write, stream.setContentType];
  await handler(event('/busy'), stream, context('busy'));
  expect(sent().body).toBe('{"statusCode":429}........slow down');
  expect(methods).toEqual(own);
  expect(memory.spans.map((s) => s.attributes['http.response.status_code'])).toEqual([429]);
});
