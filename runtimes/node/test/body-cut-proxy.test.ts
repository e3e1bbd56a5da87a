/**
 * A proxied stream (`fetch(upstream, { signal: request.signal })` returned as the response) whose
 * client leaves mid-body, under waitForBody: the client's leaving aborts the request's signal, which
 * errors the upstream body with the abort before the body is cancelled. It is still a client that
 * left (`connection_closed`, no exception event), as an unproxied body cut short is.
 */
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { SpanStatus } from '../../../src/model/span-data.js';
import { serve } from '../index.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

test('serve() with waitForBody: a client that leaves a proxied stream is connection_closed, not the abort of the upstream fetch', async () => {
  // The upstream: a chunk at once, then one every 20 ms until its client goes.
  const upstream: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('data: first\n\n');
    const more = setInterval(() => res.write('data: more\n\n'), 20);
    res.on('close', () => clearInterval(more));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => (upstream.closeAllConnections(), upstream.close(r))));
  const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;

  const memory = new MemoryBackend();
  const s = await serve((request) => fetch(up, { signal: request.signal }), { serviceName: 'proxy', backends: [memory] }, {
    port: 0,
    hostname: '127.0.0.1',
    flushOnExit: false,
    traceFetch: false,
    waitForBody: true,
  });
  closers.push(() => s.close());

  await new Promise<void>((resolve, reject) => {
    const req = get(`${s.url}/feed`, (res: IncomingMessage) => res.once('data', () => (req.destroy(), resolve())));
    req.on('error', () => undefined);
    setTimeout(() => reject(new Error('no first chunk')), 5000);
  });
  let span;
  for (let i = 0; i < 250 && !span; i++) {
    await s.handler.flush(1000);
    span = memory.spans.find((x) => x.attributes['url.path'] === '/feed');
    if (!span) await sleep(20);
  }
  expect(span).toBeDefined();
  expect([span!.attributes['http.response.status_code'], span!.attributes['http.response.body.incomplete'], span!.attributes['error.type'], span!.status.code]).toEqual([
    200,
    true,
    'connection_closed',
    SpanStatus.ERROR,
  ]);
  expect(span!.events.filter((e) => e.name === 'exception')).toEqual([]);
  const points = memory.getMetric('http.server.request.duration')!.points.filter((p) => p.attributes['url.path'] === undefined && p.attributes['http.response.status_code'] === 200);
  expect(points.map((p) => p.attributes['error.type'])).toEqual(['connection_closed']);
});
