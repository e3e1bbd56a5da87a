/**
 * The request's context in the listeners an app adds to the Node request and response that
 * `serve()` and `toNodeListener(instrument())` expose (`info.incoming`, `info.response`), as
 * instrumentListener gives it: Node emits 'end', 'close' and 'finish' from the socket's parser,
 * outside the request, and a span started there became a new root.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { getActiveSpan, MemoryBackend } from '../../../src/index.js';
import { instrument, serve, toNodeListener, type NodeHandler } from '../index.js';

/** A handler that records, in its response's 'finish' and its request's 'close', which span is active, and starts one there. */
function probe(memory: MemoryBackend) {
  const seen: Record<string, string | undefined> = {};
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  let monitorRef: { tracer: { startSpan(name: string): { end(): void } } } | undefined;
  const handler: NodeHandler = (_request, info, telemetry) => {
    seen.handler = telemetry.span.spanContext().spanId;
    info!.incoming.on('close', () => (seen.close = getActiveSpan()?.spanContext().spanId));
    info!.response.on('finish', () => {
      seen.finish = getActiveSpan()?.spanContext().spanId;
      monitorRef?.tracer.startSpan('in-finish').end();
      finished();
    });
    return new Response('ok');
  };
  return { seen, done, handler, setMonitor: (m: typeof monitorRef) => (monitorRef = m), memory };
}

test("node: serve() keeps the request's span active in the app's info.response 'finish' and info.incoming 'close' listeners", async () => {
  const memory = new MemoryBackend();
  const p = probe(memory);
  const srv = await serve(p.handler, { serviceName: 'serve-emitters', backends: [memory] }, { port: 0, hostname: '127.0.0.1', flushOnExit: false });
  p.setMonitor(srv.handler.monitor);
  try {
    expect(await (await fetch(`${srv.url}/a`)).text()).toBe('ok');
    await p.done;
    await new Promise((r) => setTimeout(r, 20));
    await srv.handler.flush();
  } finally {
    await srv.close();
  }
  const server = memory.spans.find((s) => s.kind === 2)!;
  expect(p.seen).toEqual({ handler: server.spanId, close: server.spanId, finish: server.spanId });
  const inFinish = memory.spans.find((s) => s.name === 'in-finish')!;
  expect([inFinish.traceId, inFinish.parentSpanId]).toEqual([server.traceId, server.spanId]);
});

test("node: toNodeListener(instrument()) does the same", async () => {
  const memory = new MemoryBackend();
  const p = probe(memory);
  const handler = instrument(p.handler, { serviceName: 'listener-emitters', backends: [memory] });
  p.setMonitor(handler.monitor);
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    expect(await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/b`)).text()).toBe('ok');
    await p.done;
    await new Promise((r) => setTimeout(r, 20));
    await handler.flush();
  } finally {
    server.close();
    await handler.shutdown();
  }
  const srv = memory.spans.find((s) => s.kind === 2)!;
  expect(p.seen).toEqual({ handler: srv.spanId, close: srv.spanId, finish: srv.spanId });
  expect(memory.spans.find((s) => s.name === 'in-finish')!.parentSpanId).toBe(srv.spanId);
});
