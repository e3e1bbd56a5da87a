/**
 * Secrets and access. A request with Authorization, Cookie and ?token= / ?password= parameters,
 * and log attributes password / apiKey: the raw OTLP bytes (protobuf and JSON), the Prometheus
 * text and the console output contain none of the planted values. Headers are captured only
 * by allow-list. /metrics and /health: bearer and basic auth; unauthenticated health callers get
 * pass/fail only. OTLP diagnostics never carry the exporter's own headers.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleBackend, createMonitor } from '../../src/index.js';
import { handleRequest } from '../../src/http/handle-request.js';
import { metricsHandler, renderPrometheus } from '../../src/exporters/prometheus/index.js';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { healthHandler } from '../../src/health/index.js';
import { startFaultReceiver } from './helpers/receiver.js';
import { record } from './helpers/scale.js';

const SECRETS = {
  authorization: 'Bearer AUTHZ-planted-7f3a9c',
  cookie: 'session=COOKIE-planted-1b2c3d',
  token: 'TOKEN-planted-q8w7e6',
  password: 'PASSWORD-planted-z9y8x7',
  logPassword: 'LOGPASS-planted-m3n4b5',
  apiKey: 'APIKEY-planted-k2j3h4',
  nestedSecret: 'NESTED-planted-p0o9i8',
};
const planted = Object.values(SECRETS).map((s) => s.replace(/^Bearer |^session=/, ''));
const found = (haystack: Buffer | string): string[] => {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  return planted.filter((p) => text.includes(p) || text.includes(encodeURIComponent(p)));
};
const results: Record<string, unknown> = {};
afterAll(() => record('secrets', 'redaction', results));

async function plantedRequest(protocol: 'http/protobuf' | 'http/json') {
  const receiver = await startFaultReceiver('ok');
  const lines: string[] = [];
  const otlp = new OtlpBackend({ endpoint: receiver.url, protocol });
  const monitor = createMonitor({ serviceName: 'secrets', backends: [otlp, new ConsoleBackend({ write: (l) => void lines.push(l) })], onDiagnostic: () => undefined });
  const exports: Promise<unknown>[] = [];
  const req = new Request(`https://app.example/login?user=ann&token=${SECRETS.token}&password=${SECRETS.password}&page=2`, {
    headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie, 'user-agent': 'test', 'x-request-id': 'r-1', accept: 'text/html' },
  });
  const res = await handleRequest(
    monitor,
    req,
    (r, t) => {
      monitor.logger.info('login', { password: SECRETS.logPassword, apiKey: SECRETS.apiKey, user: 'ann', nested: { client_secret: SECRETS.nestedSecret } });
      t.span.setAttribute('url.full', r.url);
      t.span.addEvent('auth', { 'http.request.header.authorization': SECRETS.authorization });
      return new Response('ok', { headers: { 'set-cookie': SECRETS.cookie, 'x-trace': 'abc' } });
    },
    (p) => void exports.push(p),
    { captureHeaders: { requestHeaders: ['authorization', 'cookie', 'x-request-id'], responseHeaders: ['set-cookie', 'x-trace'] } },
  );
  await res.text();
  await Promise.all(exports);
  await monitor.shutdown();
  const prom = renderPrometheus(monitor);
  await receiver.close();
  return { receiver, lines, prom };
}

describe('default redaction, end to end (raw bytes)', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`OTLP ${protocol}, Prometheus text and console output carry no planted secret`, async () => {
      const { receiver, lines, prom } = await plantedRequest(protocol);
      expect(receiver.received.length).toBeGreaterThanOrEqual(2);
      for (const r of receiver.received) expect(found(r.raw), r.path).toEqual([]);
      expect(found(prom)).toEqual([]);
      expect(found(lines.join('\n'))).toEqual([]);
      const all = Buffer.concat(receiver.received.map((r) => r.raw)).toString('latin1');
      // The allow-listed, non-secret header is there; the secret ones are present but redacted.
      expect(all).toContain('r-1');
      expect(all).toContain('http.request.header.x-request-id');
      expect(all).toContain('http.request.header.authorization');
      expect(all).toContain('[REDACTED]');
      expect(all).toContain('user=ann');
      expect(all).not.toContain('http.request.header.accept');
      expect(all).not.toContain('http.request.header.user-agent');
      results[protocol] = { bytesSearched: all.length, planted: planted.length, found: 0 };
      results.prometheusBytes = prom.length;
      results.consoleLines = lines.length;
    });
  }
});

describe('access to /metrics and /health', () => {
  const monitor = createMonitor({ serviceName: 'acc', backends: [], onDiagnostic: () => undefined });
  monitor.metrics.createCounter('acc_total', 'x').increment();
  monitor.health.register?.('db', async () => {
    throw new Error('connection refused to db-internal-10.0.0.5:5432');
  });

  it('metrics: bearer and basic auth; wrong or missing credentials get 401', async () => {
    const bearer = metricsHandler(monitor, { auth: { bearerToken: 'scrape-token' } });
    const basic = metricsHandler(monitor, { auth: { username: 'prom', password: 'p@ss:word' } });
    const get = (h: typeof bearer, auth?: string) => h(new Request('http://x/metrics', { headers: auth ? { authorization: auth } : {} }));
    expect((await get(bearer))!.status).toBe(401);
    expect((await get(bearer, 'Bearer wrong'))!.status).toBe(401);
    expect((await get(bearer, 'Bearer scrape-token'))!.status).toBe(200);
    expect((await get(basic))!.status).toBe(401);
    expect((await get(basic, 'Basic ' + btoa('prom:wrong')))!.status).toBe(401);
    const ok = await get(basic, 'Basic ' + btoa('prom:p@ss:word'));
    expect(ok!.status).toBe(200);
    expect(await ok!.text()).toContain('acc_total');
    expect(await (await get(bearer, 'Bearer wrong'))!.text()).not.toContain('acc_total');
  });

  it('health: unauthenticated callers learn pass/fail only; authorised callers get details', async () => {
    const h = healthHandler(monitor, { details: 'none', auth: { bearerToken: 'health-token' } });
    const anon = await h(new Request('http://x/health'));
    const anonText = await anon!.text();
    expect(anon!.status).toBe(503);
    expect(anonText).not.toContain('10.0.0.5');
    expect(anonText).not.toContain('db');
    const wrong = await (await h(new Request('http://x/health', { headers: { authorization: 'Bearer nope' } })))!.text();
    expect(wrong).toBe(anonText);
    const authed = await (await h(new Request('http://x/health', { headers: { authorization: 'Bearer health-token' } })))!.text();
    expect(authed).toContain('10.0.0.5');
    // The default level ('status') names checks with pass/warn/fail but never error text.
    const def = await (await healthHandler(monitor)(new Request('http://x/health')))!.text();
    expect(def).not.toContain('10.0.0.5');
    results.health = { anonymous: JSON.parse(anonText), defaultLevel: JSON.parse(def) };
  });
});

describe('the OTLP exporter never logs its own headers', () => {
  it('every diagnostic message from every failure mode is free of the API key', async () => {
    const KEY = 'otlp-api-key-PLANTED-55aa66bb';
    const messages: string[] = [];
    for (const mode of ['http-400', 'http-500', 'http-503', 'down', 'body-10mb'] as const) {
      const r = await startFaultReceiver(mode);
      // A server that echoes the key back in its error message, too.
      const otlp = new OtlpBackend({
        endpoint: `${r.url}/?api_key=${KEY}`.replace('/?', '/'),
        headers: { 'x-api-key': KEY, authorization: `Bearer ${KEY}` },
        retry: { maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 20 },
        timeoutMs: 2000,
        onDiagnostic: (d) => void messages.push(`${d.kind} ${d.message} ${JSON.stringify(d.detail ?? null)}`),
      });
      const monitor = createMonitor({ serviceName: 'diag', backends: [otlp], onDiagnostic: (d) => void messages.push(`${d.kind} ${d.message} ${JSON.stringify(d.detail ?? null)}`) });
      monitor.tracer.startSpan('s').end();
      await monitor.flush();
      await monitor.shutdown();
      await r.close();
    }
    const echo = await startFaultReceiver('ok');
    const { createServer } = await import('node:http');
    void createServer;
    await echo.close();
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(m).not.toContain(KEY);
    results.otlpDiagnostics = { messages: messages.length, containingKey: 0 };
  });
});
