/** `instrumentListener` around a real Express 5 app on a real `node:http` server. */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { createTestMonitor } from '../../../src/testing/index.js';
import { SpanKind, SpanStatus } from '../../../src/model/span-data.js';
import { instrumentListener, type InstrumentedListener } from '../index.js';

describe('instrumentListener(expressApp) in Node', () => {
  const { monitor, memory } = createTestMonitor();
  let server: Server;
  let listener: InstrumentedListener;
  let base = '';
  let echo: Server;
  let echoUrl = '';

  beforeAll(async () => {
    // Where the app's outgoing fetch goes: it answers with the traceparent it received.
    echo = createServer((req, res) => res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null })));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;

    const app = express();
    const users = express.Router();
    users.get('/:id', async (req, res) => {
      monitor.logger.info('user requested', { userId: req.params.id });
      const seen = await monitor.tracer.startActiveSpan('load-user', async () => (await fetch(`${echoUrl}/`)).json());
      res.status(200).json({ id: req.params.id, seen });
    });
    app.use('/users', users);
    app.post('/orders', (_req, res) => {
      setTimeout(() => res.status(201).send('made'), 15); // answered after the handler returned
    });
    app.purge('/cache/:key', (_req, res) => {
      res.status(204).end();
    });
    app.get('/boom', () => {
      throw new Error('express handler failed');
    });
    listener = instrumentListener(app, monitor);
    server = createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    untraceGlobalFetch();
    await new Promise((r) => server.close(r));
    await new Promise((r) => echo.close(r));
  });

  test('an Express route names the SERVER span and http.route; spans, logs and fetch made in the handler belong to it', async () => {
    const traceId = '6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b';
    const res = await fetch(`${base}/users/42?x=1`, { headers: { traceparent: `00-${traceId}-00000000000000bb-01` } });
    const body = (await res.json()) as { id: string; seen: { traceparent: string } };
    expect(body.id).toBe('42');
    await listener.flush();
    const server = memory.spans.find((s) => s.kind === SpanKind.SERVER && s.traceId === traceId)!;
    expect(server.name).toBe('GET /users/:id');
    expect(server.parentSpanId).toBe('00000000000000bb');
    expect(server.attributes).toMatchObject({ 'http.route': '/users/:id', 'url.path': '/users/42', 'http.response.status_code': 200, 'http.request.method': 'GET' });
    const child = memory.spans.find((s) => s.name === 'load-user' && s.traceId === traceId)!;
    expect(child.parentSpanId).toBe(server.spanId);
    const client = memory.spans.find((s) => s.kind === SpanKind.CLIENT && s.traceId === traceId)!;
    expect(client.parentSpanId).toBe(child.spanId);
    expect(body.seen.traceparent).toBe(`00-${traceId}-${client.spanId}-01`);
    expect(memory.logs.find((l) => l.body === 'user requested')!.traceId).toBe(traceId);
    const point = memory.getMetric('http.server.request.duration')!.points.find((p) => p.attributes['http.route'] === '/users/:id')!;
    expect(point.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
  });

  test('an unknown method (PURGE, http.request.method=_OTHER) names the span "HTTP <route>" (HTTP semconv span name)', async () => {
    const res = await fetch(`${base}/cache/k1`, { method: 'PURGE' });
    expect(res.status).toBe(204);
    await listener.flush();
    const span = memory.spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/cache/:key')!;
    expect(span.name).toBe('HTTP /cache/:key');
    expect(span.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
  });

  test('the span ends when the response is sent, not when the handler returns; an error answered by Express is a 500', async () => {
    const made = await fetch(`${base}/orders`, { method: 'POST' });
    expect(made.status).toBe(201);
    expect(await made.text()).toBe('made');
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    await boom.arrayBuffer();
    await listener.flush();
    const order = memory.spans.find((s) => s.name === 'POST /orders')!;
    expect(order.attributes['http.response.status_code']).toBe(201);
    const failed = memory.spans.find((s) => s.name === 'GET /boom')!;
    expect(failed.attributes['http.response.status_code']).toBe(500);
    expect(failed.status.code).toBe(SpanStatus.ERROR);
  });

  test('configuration errors are thrown at once with what to change', () => {
    expect(() => instrumentListener(undefined as never, monitor)).toThrow(/listener must be a function/);
  });
});
