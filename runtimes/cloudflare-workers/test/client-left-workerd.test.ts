/**
 * `waitForBody: true` in real workerd (miniflare 4), with a client that reads the first chunk of a
 * streamed response and closes its connection. The streams never end by themselves, so a server
 * span that reaches the OTLP receiver was ended by the client leaving, as the pipe's next write
 * failed: it keeps its 200 and records `http.response.body.incomplete`. A server-sent-events stream
 * ends that way normally (no `error.type`, no ERROR); any other body was cut short
 * (`error.type=connection_closed`, ERROR), as the Node, Deno and Bun adapters record it.
 */
import type { Miniflare } from 'miniflare';
import { request as httpGet } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { metricsOf, spansOf, waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';

let srv: TestServer;
let mf: Miniflare;
let base: URL;

beforeAll(async () => {
  srv = await startTestServer();
  // No Durable Object here: the helper's default namespace is left out.
  mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('worker-client-left.ts'), vars: { OTEL_EXPORTER_OTLP_ENDPOINT: srv.url }, extra: { durableObjects: {} } });
  base = await mf.ready;
});
afterAll(async () => {
  await mf?.dispose();
  await srv?.close();
});

/** GETs `path` over a real connection, reads the first chunk of the body, then closes the connection. */
function readFirstChunkAndLeave(path: string): Promise<{ status: number; contentType: string | undefined; first: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(new URL(path, base), (res) => {
      res.once('data', (chunk: Buffer) => {
        resolve({ status: res.statusCode!, contentType: res.headers['content-type'], first: chunk.toString() });
        req.destroy();
      });
      res.once('error', () => {});
    });
    req.once('error', reject);
    req.end();
  });
}

const serverSpan = (path: string) => waitFor(() => spansOf(srv).find((s) => s.kind === 2 && s.attributes['url.path'] === path), 20_000);

test('an event stream whose client leaves: the server span ends, 200 with http.response.body.incomplete, no error.type, not an ERROR', async () => {
  const got = await readFirstChunkAndLeave('/events');
  expect(got).toMatchObject({ status: 200, contentType: 'text/event-stream', first: 'data: 1\n\n' });
  const span = await serverSpan('/events');
  expect(span.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.response.body.incomplete': true });
  expect(span.attributes['error.type']).toBeUndefined();
  expect(span.status?.code ?? 0).not.toBe(2);
});

test('a text stream whose client leaves: the server span ends, 200 with http.response.body.incomplete and error.type connection_closed, an ERROR', async () => {
  const got = await readFirstChunkAndLeave('/feed');
  expect(got).toMatchObject({ status: 200, first: 'line 1\n' });
  const span = await serverSpan('/feed');
  expect(span.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.response.body.incomplete': true, 'error.type': 'connection_closed' });
  expect(span.status?.code).toBe(2);
});

test('http.server.request.duration records both requests, each with the error.type of its span', async () => {
  await serverSpan('/events');
  await serverSpan('/feed');
  const errorTypes = () =>
    metricsOf(srv)
      .filter((p) => p.metric === 'http.server.request.duration' && p.attributes['http.response.status_code'] === 200)
      .map((p) => p.attributes['error.type']);
  // Each request exports its own delta (metricExportIntervalMs: 0): one point each, 200, one cut short.
  const types = await waitFor(() => (errorTypes().length >= 2 ? errorTypes() : undefined), 20_000);
  expect(types.sort()).toEqual(['connection_closed', undefined]);
});
