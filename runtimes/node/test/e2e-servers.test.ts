/**
 * Two Express services as a team runs them (README "Deno, Bun, Node": `instrumentListener`, an
 * `OtlpBackend` to a collector, a `PrometheusBackend` at /metrics), the caller fetching the callee,
 * under concurrent load. What reaches the collectors (protobuf, decoded by protobufjs from the
 * official .proto files) and a real Prometheus must be what the README promises: one trace per
 * request across both services, the callee's SERVER span a child of the caller's CLIENT span;
 * duration deltas summing to the requests served; logs carrying their span's ids, secrets
 * redacted; the exporter's own requests untraced; nothing counted as dropped; responses that do
 * not wait for a slow collector; Prometheus totals equal to the requests served.
 */
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untraceGlobalFetch } from '../../../src/adapter/process-server.js';
import { OtlpBackend } from '../../../src/exporters/otlp/index.js';
import { PrometheusBackend } from '../../../src/exporters/prometheus/index.js';
import { decodeProto } from '../../../test/otlp/helpers/proto-decoder.js';
import { poll, requireBinary, shouldRun, startPrometheus, type Running } from '../../../test/prometheus/processes.js';
import { attrs, pointsOf, spansOf, startReceiver, type Receiver } from '../../test-support/receiver.js';
import { instrumentListener, type InstrumentedListener } from '../index.js';

const CALLS = 60;
const MISSES = 5;
const SERVER = 2;
const CLIENT = 3;

function logsOf(r: Receiver): { traceId: string; spanId: string; body: unknown; attributes: Record<string, unknown> }[] {
  const out: { traceId: string; spanId: string; body: unknown; attributes: Record<string, unknown> }[] = [];
  for (const e of r.received) {
    if (e.signal !== 'logs') continue;
    for (const rl of e.body.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) for (const l of sl.logRecords ?? []) {
      out.push({ traceId: String(l.traceId ?? ''), spanId: String(l.spanId ?? ''), body: l.body?.stringValue, attributes: attrs(l.attributes) });
    }
  }
  return out;
}

/** Sum of the duration histogram's counts for one route (undefined: no route) and status. */
function served(r: Receiver, route: string | undefined, status: number): number {
  return pointsOf(r)
    .filter((p) => p.metric === 'http.server.request.duration' && p.attributes['http.route'] === route && p.attributes['http.response.status_code'] === status)
    .reduce((n, p) => n + (p.count ?? 0), 0);
}

async function listen(listener: (req: any, res: any) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs `n` calls, `width` at a time. */
async function concurrently(n: number, width: number, call: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await call(next++);
  }));
}

describe('e2e: two Express services under instrumentListener, OTLP protobuf and a real Prometheus', () => {
  let callerOtlp: Receiver;
  let calleeOtlp: Receiver;
  let caller: InstrumentedListener;
  let callee: InstrumentedListener;
  let callerServer: { server: Server; url: string };
  let calleeServer: { server: Server; url: string };
  const diagnostics: string[] = [];

  beforeAll(async () => {
    callerOtlp = await startReceiver(decodeProto);
    calleeOtlp = await startReceiver(decodeProto);

    const calleeApp = express();
    const items = express.Router();
    items.get('/:id', (req, res) => {
      callee.monitor.logger.info('item served', { id: req.params.id, token: 'tok-secret', 'db.password': 'pw' });
      res.json({ id: req.params.id });
    });
    calleeApp.use('/items', items);
    callee = instrumentListener(calleeApp, { serviceName: 'callee', backends: [new OtlpBackend({ endpoint: calleeOtlp.url })], onDiagnostic: (d) => diagnostics.push(`callee ${d.kind}: ${d.message}`) });
    calleeServer = await listen(callee);

    const prom = new PrometheusBackend();
    const callerApp = express();
    let metrics: ReturnType<PrometheusBackend['handler']>;
    callerApp.get('/metrics', async (req, res) => {
      const r = (await metrics(new Request(`http://${req.headers.host}${req.url}`, { headers: req.headers as Record<string, string> })))!;
      res.status(r.status);
      r.headers.forEach((v, k) => res.setHeader(k, v));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
    callerApp.get('/call/:id', async (req, res) => {
      const r = await fetch(`${calleeServer.url}/items/${req.params.id}?api_key=k-123&page=2`);
      res.json({ upstream: await r.json() });
    });
    caller = instrumentListener(callerApp, { serviceName: 'caller', backends: [new OtlpBackend({ endpoint: callerOtlp.url }), prom], onDiagnostic: (d) => diagnostics.push(`caller ${d.kind}: ${d.message}`) });
    metrics = prom.handler(caller.monitor);
    callerServer = await listen(caller);

    await concurrently(CALLS, 20, async (i) => {
      const res = await fetch(`${callerServer.url}/call/${i}`);
      expect((await res.json()).upstream.id).toBe(String(i));
    });
    for (let i = 0; i < MISSES; i++) expect((await fetch(`${callerServer.url}/no/such/${i}`)).status).toBe(404);
    await caller.flush();
    await callee.flush();
  }, 60_000);

  afterAll(async () => {
    untraceGlobalFetch();
    await caller?.shutdown();
    await callee?.shutdown();
    callerServer?.server.close();
    calleeServer?.server.close();
    await callerOtlp?.close();
    await calleeOtlp?.close();
  });

  it('one trace per request across both services: caller SERVER → CLIENT → callee SERVER, ids matching', () => {
    const up = spansOf(callerOtlp);
    const down = spansOf(calleeOtlp);
    const calls = up.filter((s) => s.kind === SERVER && s.name === 'GET /call/:id');
    expect(calls).toHaveLength(CALLS);
    expect(new Set(calls.map((s) => s.traceId)).size).toBe(CALLS);
    for (const server of calls) {
      const clients = up.filter((s) => s.kind === CLIENT && s.parentSpanId === server.spanId);
      expect(clients).toHaveLength(1);
      const [client] = clients;
      expect(client.traceId).toBe(server.traceId);
      expect(client.name).toBe('GET');
      const id = String(server.attributes['url.path']).split('/').pop();
      expect(client.attributes['url.full']).toBe(`${calleeServer.url}/items/${id}?api_key=REDACTED&page=2`);
      expect(client.attributes['http.response.status_code']).toBe(200);
      const joined = down.filter((s) => s.parentSpanId === client.spanId);
      expect(joined).toHaveLength(1);
      expect(joined[0]).toMatchObject({ traceId: server.traceId, kind: SERVER, name: 'GET /items/:id' });
      expect(joined[0].attributes).toMatchObject({ 'http.route': '/items/:id', 'url.path': `/items/${id}`, 'url.query': 'api_key=REDACTED&page=2', 'http.response.status_code': 200 });
    }
    expect(down.filter((s) => s.kind === SERVER)).toHaveLength(CALLS);
  });

  it('a 404 has no http.route and is named by its method alone', () => {
    const misses = spansOf(callerOtlp).filter((s) => String(s.attributes['url.path']).startsWith('/no/such/'));
    expect(misses).toHaveLength(MISSES);
    for (const s of misses) {
      expect(s.name).toBe('GET');
      expect(s.attributes['http.route']).toBeUndefined();
      expect(s.attributes['http.response.status_code']).toBe(404);
      expect(s.status).toBe(0);
    }
  });

  it("the exporters' own requests are not traced, and nothing is counted as dropped", () => {
    const all = [...spansOf(callerOtlp), ...spansOf(calleeOtlp)];
    expect(all.filter((s) => String(s.attributes['url.full'] ?? '').startsWith(callerOtlp.url) || String(s.attributes['url.full'] ?? '').startsWith(calleeOtlp.url))).toEqual([]);
    expect(all.filter((s) => s.kind === CLIENT)).toHaveLength(CALLS);
    expect([...pointsOf(callerOtlp), ...pointsOf(calleeOtlp)].filter((p) => p.metric === 'lexigram_monitor_dropped_total')).toEqual([]);
    expect(diagnostics).toEqual([]);
  });

  it('duration deltas sum to the requests served, per route and status, on both services', () => {
    expect(served(callerOtlp, '/call/:id', 200)).toBe(CALLS);
    expect(served(callerOtlp, undefined, 404)).toBe(MISSES);
    expect(served(calleeOtlp, '/items/:id', 200)).toBe(CALLS);
    const client = pointsOf(callerOtlp).filter((p) => p.metric === 'http.client.request.duration');
    expect(client.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(CALLS);
    for (const p of client) expect(p.attributes).toEqual({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'server.address': '127.0.0.1', 'server.port': Number(new URL(calleeServer.url).port) });
  });

  it("logs carry their request span's ids, with secrets redacted", () => {
    const logs = logsOf(calleeOtlp);
    expect(logs).toHaveLength(CALLS);
    const servers = new Map(spansOf(calleeOtlp).filter((s) => s.kind === SERVER).map((s) => [s.spanId, s]));
    for (const l of logs) {
      const span = servers.get(l.spanId);
      expect(span, 'the log names its server span').toBeDefined();
      expect(l.traceId).toBe(span!.traceId);
      expect(l.attributes).toEqual({ id: String(span!.attributes['url.path']).split('/').pop(), token: '[REDACTED]', 'db.password': '[REDACTED]' });
    }
  });

  it('responses do not wait for a slow collector', async () => {
    callerOtlp.delayMs = 1500;
    calleeOtlp.delayMs = 1500;
    const before = { caller: callerOtlp.answered, callee: calleeOtlp.answered, received: callerOtlp.received.length };
    try {
      await concurrently(10, 5, async (i) => {
        expect((await fetch(`${callerServer.url}/call/slow-${i}`)).status).toBe(200);
      });
      // Every response was read before either collector answered a single export.
      expect([callerOtlp.answered, calleeOtlp.answered]).toEqual([before.caller, before.callee]);
      await caller.flush();
      await callee.flush();
      expect(spansOf(callerOtlp).filter((s) => String(s.attributes['url.path']).startsWith('/call/slow-'))).toHaveLength(10);
    } finally {
      callerOtlp.delayMs = 0;
      calleeOtlp.delayMs = 0;
    }
  }, 30_000);

  describe.runIf(shouldRun('prometheus'))('scraped by a real Prometheus 2.42', () => {
    let prometheus: Running | undefined;
    let api = '';
    let dir = '';
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lexigram-e2e-prom-'));
      const target = new URL(callerServer.url).host;
      ({ prometheus, api } = await startPrometheus(requireBinary('prometheus'), dir, ['  - job_name: caller', `    static_configs: [{ targets: ['${target}'] }]`]));
    }, 30_000);
    afterAll(async () => {
      await prometheus?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('http_server_request_duration_seconds_count equals the requests served, per route', async () => {
      const query = async (q: string): Promise<string | undefined> => {
        const body = (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result[0]?.value[1];
      };
      const total = CALLS + 10; // the slow-collector test's 10 calls ran before this block
      await poll('the caller scraped', async () => ((await query('up{job="caller"}')) === '1' ? true : undefined));
      expect(await poll('route count', async () => await query('http_server_request_duration_seconds_count{job="caller",http_route="/call/:id",http_response_status_code="200"}'))).toBe(String(total));
      expect(await query('sum(http_server_request_duration_seconds_count{job="caller",http_response_status_code="404"})')).toBe(String(MISSES));
      expect(await query('http_client_request_duration_seconds_count{job="caller"}')).toBe(String(total));
      expect(await query('lexigram_monitor_dropped_total{job="caller"}')).toBeUndefined();
    }, 30_000);
  });
});
