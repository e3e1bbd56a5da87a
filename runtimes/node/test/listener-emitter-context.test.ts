/**
 * The request's context in the listeners an app adds to Node's `req` and `res`: Node emits
 * 'end', 'close' and 'finish' from the socket's parser, outside the request. As with
 * `@opentelemetry/instrumentation-http` (which binds both emitters to the server span's context),
 * spans and logs made there belong to the request.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { expect, test } from 'vitest';
import { getActiveSpan, MemoryBackend } from '../../../src/index.js';
import { registerOpenTelemetry, unregisterOpenTelemetry } from '../../../src/otel/index.js';
import { instrumentListener } from '../index.js';

function post(port: number, body: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', path: '/p', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test("node: instrumentListener keeps the request's span active in its req 'end' and res 'finish' listeners", async () => {
  const memory = new MemoryBackend();
  const seen: Record<string, string | undefined> = {};
  let finished!: () => void;
  const finishSeen = new Promise<void>((r) => (finished = r));
  const listener = instrumentListener(
    (req, res) => {
      seen.listener = getActiveSpan()?.spanContext().spanId;
      req.on('data', () => (seen.data = getActiveSpan()?.spanContext().spanId));
      req.on('end', () => {
        seen.end = getActiveSpan()?.spanContext().spanId;
        seen.apiEnd = trace.getActiveSpan()?.spanContext().spanId;
        trace.getTracer('app').startSpan('in-end').end();
        res.end('ok');
      });
      res.on('finish', () => {
        seen.finish = getActiveSpan()?.spanContext().spanId;
        finished();
      });
    },
    { serviceName: 'emitter-context', backends: [memory] },
  );
  expect(registerOpenTelemetry(listener.monitor)).toBe(true);
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await post((server.address() as AddressInfo).port, JSON.stringify({ a: 1 }));
    await finishSeen;
    await listener.flush();
  } finally {
    server.close();
    unregisterOpenTelemetry();
    await listener.shutdown();
  }
  const srv = memory.spans.find((s) => s.kind === 2)!;
  expect(seen).toEqual({ listener: srv.spanId, data: srv.spanId, end: srv.spanId, apiEnd: srv.spanId, finish: srv.spanId });
  const inEnd = memory.spans.find((s) => s.name === 'in-end')!;
  expect(inEnd.traceId).toBe(srv.traceId);
  expect(inEnd.parentSpanId).toBe(srv.spanId);
});
