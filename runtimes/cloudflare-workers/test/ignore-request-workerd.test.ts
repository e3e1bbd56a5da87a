/**
 * `ignoreRequest` in real workerd (miniflare): a health check is answered as before, its log is
 * exported, but it has no span and no HTTP server metric point, and its outgoing fetch carries
 * what an unsampled request's carries.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '../index.js';
import { startTestServer, type TestServer } from './helpers/servers.js';
import { metricsOf, spansOf, waitFor } from './helpers/telemetry.js';
import { fixture, startWorker } from './helpers/workerd.js';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const incoming = { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` };

function logsOf(srv: TestServer): { body: string; traceId: string }[] {
  const out: { body: string; traceId: string }[] = [];
  for (const r of srv.requests) {
    if (r.path !== '/v1/logs') continue;
    const msg = decodeProto('logs', r.body);
    for (const rl of msg.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const l of sl.logRecords ?? []) out.push({ body: l.body?.stringValue, traceId: l.traceId });
  }
  return out;
}

describe('workerd: ignoreRequest', () => {
  let srv: TestServer;
  let mf: Miniflare;
  const sent: Record<string, string> = {};

  beforeAll(async () => {
    srv = await startTestServer();
    mf = await startWorker({ flags: ['nodejs_compat'], entry: fixture('worker-ignore-request.ts'), vars: { OTLP: srv.url } });
    for (const path of ['/health', '/api', '/health']) {
      const res = await mf.dispatchFetch(`http://worker.test${path}`, { headers: incoming });
      expect(res.status).toBe(200);
      sent[path] = ((await res.json()) as { sent: string }).sent;
    }
    await waitFor(() => (logsOf(srv).length >= 3 && spansOf(srv).some((s) => s.kind === 2)) || undefined);
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await mf?.dispose();
    await srv?.close();
  });

  it('the health check has no span (nor do spans started in it); the other request has its SERVER span, its child and its CLIENT span', () => {
    const spans = spansOf(srv);
    expect(spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path'])).toEqual(['/api']);
    expect(spans.map((s) => s.name).sort()).toEqual(['GET', 'GET', 'work /api']);
  });

  it('no http.server.request.duration or active_requests point for it', () => {
    const points = metricsOf(srv);
    const duration = points.filter((p) => p.metric === 'http.server.request.duration');
    expect(duration.reduce((a, p) => a + (p.count ?? 0), 0)).toBe(1);
    // Each request adds 1 and takes 1 away: an ignored one would show as points of 0 too; only /api's are here.
    const active = points.filter((p) => p.metric === 'http.server.active_requests');
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((p) => p.value === 0)).toBe(true);
  });

  it('its logs are exported, in the trace it continued; its fetch carried the trace unsampled', () => {
    expect(logsOf(srv).map((l) => l.body)).toEqual(['served /health', 'served /api', 'served /health']);
    expect(sent['/health']).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    expect(sent['/api']).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
  });
});

describe('Workers: ignoreRequest that is not a function', () => {
  it('throws at instrument(), saying what to pass', () => {
    expect(() => instrument({ fetch: () => new Response('ok') }, { backends: [], ignoreRequest: '/health' } as never)).toThrow(/^instrument: `ignoreRequest` must be a function \(request\) => true/);
  });
});
