/**
 * monitorMiddleware alone (no adapter): a client that left before the answer (an abandoned long
 * poll) is recorded as the adapters record it, with no status and `error.type`
 * `connection_closed`, not as the 200 it never got. What the server hands Hono as `c.env` says so:
 * @hono/node-server's `{ incoming, outgoing }` (the response closed unsent), Bun's server (the
 * request's signal aborted). Elsewhere the signal is not read (Deno warns on a first read).
 */
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../testing/index.js';
import { SpanStatus } from '../../model/span-data.js';
import { monitorMiddleware } from './index.js';

/** An app whose handler answers 200 once `leave` (the client going away meanwhile) has run. */
function longPoll(monitor: ReturnType<typeof createTestMonitor>['monitor'], leave: () => void) {
  const app = new Hono();
  app.use(monitorMiddleware(monitor));
  app.get('/poll', async (c) => {
    await new Promise((r) => setTimeout(r, 1));
    leave();
    return c.json({ events: [] });
  });
  return app;
}

async function recorded(monitor: ReturnType<typeof createTestMonitor>['monitor'], memory: ReturnType<typeof createTestMonitor>['memory']) {
  await monitor.forceFlush();
  const span = memory.spans.find((s) => s.kind === 2)!;
  const points = memory.getMetric('http.server.request.duration')?.points ?? [];
  return { span, point: points[0]!.attributes };
}

describe('monitorMiddleware alone: a client that left before the answer', () => {
  test('@hono/node-server: the response closed unsent is recorded with no status, connection_closed, ERROR', async () => {
    const { monitor, memory } = createTestMonitor();
    const outgoing = { destroyed: false, headersSent: false };
    const app = longPoll(monitor, () => void (outgoing.destroyed = true));
    await app.fetch(new Request('http://localhost/poll'), { incoming: {}, outgoing });
    const { span, point } = await recorded(monitor, memory);
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(span.attributes['error.type']).toBe('connection_closed');
    expect(span.status.code).toBe(SpanStatus.ERROR);
    expect(point['http.response.status_code']).toBeUndefined();
    expect(point['error.type']).toBe('connection_closed');
  });

  test('@hono/node-server: an answered request, and one whose connection closed after the answer went out, keep their status', async () => {
    for (const outgoing of [{ destroyed: false, headersSent: false }, { destroyed: true, headersSent: true }]) {
      const { monitor, memory } = createTestMonitor();
      await longPoll(monitor, () => {}).fetch(new Request('http://localhost/poll'), { incoming: {}, outgoing });
      const { span } = await recorded(monitor, memory);
      expect(span.attributes['http.response.status_code']).toBe(200);
      expect(span.attributes['error.type']).toBeUndefined();
    }
  });

  test("Bun (c.env its server): the request's aborted signal is recorded with no status, connection_closed", async () => {
    const { monitor, memory } = createTestMonitor();
    const client = new AbortController();
    const server = { upgrade: () => false, requestIP: () => null };
    await longPoll(monitor, () => client.abort()).fetch(new Request('http://localhost/poll', { signal: client.signal }), server);
    const { span, point } = await recorded(monitor, memory);
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(span.attributes['error.type']).toBe('connection_closed');
    expect(point['error.type']).toBe('connection_closed');
  });

  test("elsewhere (Deno's connection info, no env) the request's signal is not read", async () => {
    for (const env of [{ remoteAddr: { transport: 'tcp', hostname: '127.0.0.1', port: 1 }, completed: Promise.resolve() }, undefined]) {
      const { monitor, memory } = createTestMonitor();
      let reads = 0;
      const request = new Request('http://localhost/poll');
      const signal = request.signal;
      Object.defineProperty(request, 'signal', { get: () => (reads++, signal) });
      await longPoll(monitor, () => {}).fetch(request, env);
      const { span } = await recorded(monitor, memory);
      expect(span.attributes['http.response.status_code']).toBe(200);
      expect(reads).toBe(0);
    }
  });
});
