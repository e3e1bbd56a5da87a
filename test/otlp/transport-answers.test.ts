/** How the exporter reads a real receiver's answers: what a failure says, what counts as delivered. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend, type OtlpBackendOptions } from '../../src/exporters/otlp/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { batch } from './helpers/fixtures.js';
import { decodeProto } from './helpers/proto-decoder.js';
import { ok, startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
});
afterEach(() => {
  rx.handler = ok;
});

function backend(options: OtlpBackendOptions, diags: Diagnostic[] = []): OtlpBackend {
  return new OtlpBackend({ endpoint: rx.url, retry: { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 5 }, onDiagnostic: (d) => diags.push(d), ...options });
}

describe('OTLP-08: the Status message of a retryable failure', () => {
  it('a 503 with a JSON google.rpc.Status, retried until the attempts ran out, says its message', async () => {
    rx.handler = (_q, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":14,"message":"ingest quota exceeded for tenant"}');
    const diags: Diagnostic[] = [];
    const b = backend({ protocol: 'http/json' }, diags);
    const result = await b.export(batch({ spans: true }));
    await b.shutdown();
    expect(result).toMatchObject({ ok: false, reason: 'export_failed', rejected: { spans: 3 } });
    expect(result.error).toContain('HTTP 503 (ingest quota exceeded for tenant) after 2 attempts');
    expect(diags[0].message).toContain('ingest quota exceeded for tenant');
  });

  it('a 429 with a protobuf Status whose Retry-After is past the deadline says its message', async () => {
    // google.rpc.Status { code = 8 (field 1), message (field 2) }.
    const message = Buffer.from('rate limited: 100 req/s');
    const status = Buffer.concat([Buffer.from([0x08, 8, 0x12, message.length]), message]);
    rx.handler = (_q, res) => res.writeHead(429, { 'content-type': 'application/x-protobuf', 'retry-after': '3600' }).end(status);
    const b = backend({ timeoutMs: 5000 });
    const result = await b.export(batch({ spans: true }));
    await b.shutdown();
    expect(result.error).toContain('HTTP 429 (rate limited: 100 req/s); next retry in 3600000 ms is past the deadline');
  });
});

describe('a 2xx is a delivery, whatever happens to its body', () => {
  it('a 200 whose body is still coming at the timeout: delivered, the metric deltas not sent again (the collector summed them twice)', async () => {
    // Headers at once, then a body that never ends.
    rx.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '10' });
      res.write(Buffer.from([10]));
    };
    const diags: Diagnostic[] = [];
    const b = backend({ timeoutMs: 1000 }, diags);
    const start = rx.requests.length;
    const first = await b.export(batch({ metrics: 'delta' }));
    expect(first.ok).toBe(true);
    expect(first.rejected).toBeUndefined();
    expect(diags.map((d) => d.message).join()).toMatch(/delivered \(HTTP 200\), response not read/);
    rx.handler = ok;
    await b.export(batch({ spans: true }));
    await b.shutdown();
    const metricPosts = rx.requests.slice(start).filter((q) => q.path === '/v1/metrics');
    // Once only: neither carried into a later export nor sent at shutdown.
    expect(metricPosts).toHaveLength(1);
    expect(decodeProto('metrics', metricPosts[0].body).resourceMetrics).toHaveLength(1);
  });

  it('a 200 whose body is cut off: delivered, not counted as lost', async () => {
    rx.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '100' });
      res.write(Buffer.from([10, 5]));
      setTimeout(() => res.destroy(), 20);
    };
    const b = backend({});
    const result = await b.export(batch({ spans: true }));
    await b.shutdown();
    expect(result).toEqual({ ok: true });
  });
});

describe("a proxy's answer is no Status", () => {
  it('a 502 HTML page from a proxy adds no markup to the error', async () => {
    rx.handler = (_q, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>\r\n<head><title>502 Bad Gateway</title></head></html>\r\n');
    const b = backend({});
    const result = await b.export(batch({ spans: true }));
    await b.shutdown();
    expect(result.error).toMatch(/: HTTP 502 after 2 attempts$/);
  });
});
