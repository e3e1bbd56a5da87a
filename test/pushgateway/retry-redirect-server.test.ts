/**
 * A real Pushgateway (Debian 1.5.1) behind a front that fails the first push the way a gateway
 * restarting or a proxy does (503), or answers it with a redirect. The gateway itself answers
 * neither, so the front (a node:http server relaying to it) makes the case; the push and what
 * the gateway holds afterwards are real.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { PushgatewayBackend } from '../../src/exporters/pushgateway/index.js';
import { freePort, poll, requireBinary, shouldRun, start, type Running } from '../prometheus/processes.js';

type Front = (req: IncomingMessage, res: ServerResponse, body: Buffer, relay: () => Promise<void>) => void | Promise<void>;

describe.runIf(shouldRun('prometheus-pushgateway'))('real Pushgateway behind a failing or redirecting front', () => {
  let gateway: Running | undefined;
  let url = '';
  const servers: Server[] = [];

  beforeAll(async () => {
    const binary = requireBinary('prometheus-pushgateway');
    const port = await freePort();
    gateway = start(binary, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=']);
    url = `http://127.0.0.1:${port}`;
    await poll('pushgateway ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 10_000, 50);
  }, 20_000);

  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    await gateway?.stop();
  });

  /** A front whose handler sees each request (method, path, body) and may relay it to the gateway. */
  async function front(handle: Front): Promise<{ url: string; seen: string[] }> {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push(`${req.method} ${req.url}`);
        const relay = async (): Promise<void> => {
          const headers: Record<string, string> = {};
          if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
          const answer = await fetch(url + req.url, { method: req.method, headers, ...(body.length ? { body } : {}) });
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        };
        void Promise.resolve(handle(req, res, body, relay)).catch((err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        });
      });
    });
    servers.push(server);
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${port}`, seen };
  }

  async function groupHas(job: string, metric: string): Promise<boolean> {
    const json = (await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: ({ labels: Record<string, string> } & Record<string, unknown>)[] };
    return json.data.some((g) => g.labels.job === job && metric in g);
  }

  it("a batch job's only push, answered 503 once, is tried again and reaches the gateway", async () => {
    let first = true;
    const f = await front(async (_req, res, _body, relay) => {
      if (first) {
        first = false;
        res.writeHead(503, { 'retry-after': '0' });
        res.end('upstream restarting');
        return;
      }
      await relay();
    });
    const monitor = createMonitor({ serviceName: 'batch', backends: [new PushgatewayBackend({ url: f.url, job: 'retried-once' })], onDiagnostic: () => {} });
    monitor.metrics.createCounter('rows.done', 'Rows').increment(42);
    const flushed = await monitor.flush();
    expect(flushed.backends[0]).toMatchObject({ ok: true });
    expect(f.seen).toEqual(['PUT /metrics/job/retried-once', 'PUT /metrics/job/retried-once']);
    expect(await groupHas('retried-once', 'rows_done_total')).toBe(true);
    await monitor.shutdown();
  });

  it('a 400 from the gateway is final: sent once', async () => {
    const f = await front((_req, _res, _body, relay) => relay());
    // A counter in one group and a gauge of the same name in another: the gateway answers 400 (PG-08).
    const m1 = createMonitor({ serviceName: 'a', backends: [new PushgatewayBackend({ url, job: 'typed-a' })], onDiagnostic: () => {} });
    m1.metrics.createCounter('clash', 'C').increment(1);
    expect((await m1.flush()).backends[0]).toMatchObject({ ok: true });
    const m2 = createMonitor({ serviceName: 'b', backends: [new PushgatewayBackend({ url: f.url, job: 'typed-b' })], onDiagnostic: () => {} });
    m2.metrics.createGauge('clash_total', 'C').set(1);
    const r = await m2.flush();
    expect(r.backends[0]).toMatchObject({ ok: false, reason: 'export_failed', error: expect.stringMatching(/^Pushgateway answered 400: /) });
    expect(f.seen).toEqual(['PUT /metrics/job/typed-b']);
    await Promise.all([m1.shutdown(), m2.shutdown()]);
  });

  it.each([
    [301, 'POST' as const],
    [303, 'PUT' as const],
  ])('a %i redirect of a %s is not followed: the push fails, naming the Location, instead of being lost as a GET answered 200', async (code, method) => {
    // The gateway's own page answers a GET with 200: followed, the push looked delivered. (The
    // query may hold a token: the error leaves it out.)
    const f = await front((_req, res) => {
      res.writeHead(code, { location: `${url}/?session=abc` });
      res.end();
    });
    const job = `moved-${code}`;
    const monitor = createMonitor({ serviceName: 'batch', backends: [new PushgatewayBackend({ url: f.url, job, method })], onDiagnostic: () => {} });
    monitor.metrics.createCounter('rows.done', 'Rows').increment(1);
    const flushed = await monitor.flush();
    expect(flushed.backends[0]).toEqual({
      name: 'pushgateway',
      ok: false,
      reason: 'export_failed',
      error: `Pushgateway answered ${code} redirect to ${url}/, not followed (the push would be lost): set "url" to the gateway's final address`,
    });
    expect(f.seen).toEqual([`${method} /metrics/job/${job}`]);
    expect(await groupHas(job, 'rows_done_total')).toBe(false);
    const dropped = monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect(dropped?.points.map((p) => [p.attributes.reason, (p as { value: number }).value])).toEqual([['export_failed', 1]]);
    await monitor.shutdown();
  });
});
