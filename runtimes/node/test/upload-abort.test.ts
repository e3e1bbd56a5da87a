/**
 * A client that leaves mid-upload, after which the app answers 400 (what body parsers do: Express's
 * `express.json()` through raw-body's 'aborted' listener, Fastify's parser, any `req.on('error')`
 * handler). That answer is written on a closed connection: the client got nothing. HTTP semconv:
 * no `http.response.status_code`, `error.type` connection_closed, status ERROR (as for any client
 * that left before the answer). Node reports such a response as sent (headersSent, writableFinished)
 * once the app wrote it, so what was sent is read when the connection closed.
 */
import express from 'express';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { MemoryBackend } from '../../../src/index.js';
import { SpanStatus } from '../../../src/model/span-data.js';
import { instrumentListener } from '../index.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Announces 100 000 bytes, sends 1 000, waits for the server to read them, then resets; resolves with what it received. */
async function abortUpload(server: Server, head = ''): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  let got = '';
  await new Promise<void>((resolve) => {
    const c = connect(port, '127.0.0.1', () => {
      c.write(`${head}POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"x":"${'a'.repeat(1000)}`);
      setTimeout(() => c.destroy(), 100);
    });
    c.on('data', (d) => (got += String(d)));
    c.on('close', () => resolve());
    c.on('error', () => undefined);
  });
  await new Promise((r) => setTimeout(r, 50));
  return got;
}

function expectClosed(memory: MemoryBackend): void {
  const span = memory.spans.find((s) => s.attributes['url.path'] === '/upload')!;
  expect([span.attributes['http.response.status_code'], span.attributes['error.type'], span.attributes['http.response.body.incomplete'], span.status.code]).toEqual([
    undefined,
    'connection_closed',
    undefined,
    SpanStatus.ERROR,
  ]);
  const point = memory.getMetric('http.server.request.duration')!.points.find((p) => p.attributes['http.request.method'] === 'POST')!;
  expect([point.attributes['http.response.status_code'], point.attributes['error.type']]).toEqual([undefined, 'connection_closed']);
}

test("a listener that answers 400 from req.on('error') after the client left mid-upload: no status, connection_closed", async () => {
  const memory = new MemoryBackend();
  const listener = instrumentListener(
    (req, res) => {
      req.on('error', () => {
        res.statusCode = 400;
        res.end('bad body');
      });
      req.on('data', () => undefined);
      req.on('end', () => res.end('ok'));
    },
    { serviceName: 'upload', backends: [memory] },
    { traceFetch: false },
  );
  expect(await abortUpload(createServer(listener))).toBe('');
  await listener.flush(1000);
  expectClosed(memory);
});

test('Express json(): the 400 it answers to an upload the client abandoned is not recorded as sent', async () => {
  const memory = new MemoryBackend();
  const app = express();
  app.use(express.json());
  app.post('/upload', (_req, res) => void res.json({ ok: true }));
  // Express's default error handler prints the 400 it writes: not this test's output.
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(400).end('bad body'));
  const listener = instrumentListener(app as unknown as RequestListener, { serviceName: 'upload', backends: [memory] }, { traceFetch: false });
  expect(await abortUpload(createServer(listener))).toBe('');
  await listener.flush(1000);
  expectClosed(memory);
});

test('a response streamed to the client, then cut when it left mid-upload, keeps its status and is marked incomplete', async () => {
  const memory = new MemoryBackend();
  const listener = instrumentListener(
    (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('started');
      req.on('error', () => res.end());
      req.on('data', () => undefined);
    },
    { serviceName: 'upload', backends: [memory] },
    { traceFetch: false },
  );
  expect(await abortUpload(createServer(listener))).toContain('started');
  await listener.flush(1000);
  const span = memory.spans.find((s) => s.attributes['url.path'] === '/upload')!;
  expect([span.attributes['http.response.status_code'], span.attributes['error.type'], span.attributes['http.response.body.incomplete']]).toEqual([200, 'connection_closed', true]);
});
