/**
 * A collector URL that redirects. fetch would follow it: a 301/302/303 turns the POST into a GET
 * without the body (the final URL may answer 200, so the batch was lost and reported delivered),
 * a 307/308 fails in Node's fetch and would carry the API key headers to wherever it points. The
 * exporter does not follow redirects: each is a failure, counted, that says what to change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { batch } from './helpers/fixtures.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver((req, res) => {
    const code = /^\/(\d{3})\//.exec(req.path)?.[1];
    if (code) {
      res.writeHead(Number(code), { location: '/final/v1/traces?api-key=in-location-secret' });
      res.end('moved');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
afterAll(() => rx.close());

describe('redirects are not followed', () => {
  for (const code of [301, 302, 303, 307, 308]) {
    it(`HTTP ${code}: export_failed once, not retried, nothing sent elsewhere, headers kept home`, async () => {
      const diags: Diagnostic[] = [];
      const start = rx.requests.length;
      const backend = new OtlpBackend({
        endpoint: `${rx.url}/${code}`,
        headers: { 'x-api-key': 'key-that-must-stay-home' },
        retry: { initialBackoffMs: 10, maxBackoffMs: 20 },
        onDiagnostic: (d) => diags.push(d),
      });
      const result = await backend.export(batch({ spans: true }));
      await backend.shutdown();
      const requests = rx.requests.slice(start);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /${code}/v1/traces`]);
      expect(result).toMatchObject({ ok: false, reason: 'export_failed', rejected: { spans: 3 } });
      expect(result.ok === false && result.error).toMatch(new RegExp(`HTTP ${code} redirect to /final/v1/traces, not followed: set the endpoint to the final URL`));
      expect(result.ok === false && result.error).not.toContain('in-location-secret');
      expect(diags).toEqual([expect.objectContaining({ kind: 'export_failed', detail: expect.objectContaining({ status: code, attempts: 1, items: 3 }) })]);
    });
  }

  it('a redirect without a Location header says so, rather than "redirect to undefined"', async () => {
    const backend = new OtlpBackend({ fetch: async () => new Response(null, { status: 301 }) });
    const result = await backend.export(batch({ spans: true }));
    expect(result.ok === false && result.error).toBe('traces to http://localhost:4318/v1/traces: HTTP 301 redirect without a Location, not followed: set the endpoint to the final URL');
  });

  it('a relative Location without a leading / is resolved against the request URL, as fetch would, without credentials, query or fragment', async () => {
    const seen: string[] = [];
    for (const location of ['v2/traces?api-key=in-location-secret#frag', '../v2/traces', '//user:pw@other.example:8443/x?k=in-location-secret', '?api-key=in-location-secret']) {
      const backend = new OtlpBackend({ endpoint: 'https://collector.example/base', fetch: async () => new Response(null, { status: 308, headers: { location } }) });
      const result = await backend.export(batch({ spans: true }));
      seen.push(/redirect to (\S+),/.exec(result.error ?? '')?.[1] ?? String(result.error));
    }
    expect(seen).toEqual([
      'https://collector.example/base/v1/v2/traces',
      'https://collector.example/base/v2/traces',
      'https://other.example:8443/x',
      'https://collector.example/base/v1/traces',
    ]);
  });

  it('through a real receiver: Location "next/traces" names the URL fetch would have gone to', async () => {
    const rx2 = await startReceiver((_req, res) => void res.writeHead(307, { location: 'next/traces?token=in-location-secret' }).end());
    try {
      const result = await new OtlpBackend({ endpoint: rx2.url, retry: { maxAttempts: 1 } }).export(batch({ spans: true }));
      expect(result.error).toBe(`traces to ${rx2.url}/v1/traces: HTTP 307 redirect to ${rx2.url}/v1/next/traces, not followed: set the endpoint to the final URL`);
    } finally {
      await rx2.close();
    }
  });

  it("passes redirect: 'manual' to an injected fetch", async () => {
    const inits: RequestInit[] = [];
    const backend = new OtlpBackend({
      fetch: async (_url, init) => {
        inits.push(init);
        return new Response(null, { status: 200 });
      },
    });
    expect(await backend.export(batch({ spans: true }))).toEqual({ ok: true });
    expect(inits.map((i) => i.redirect)).toEqual(['manual']);
  });
});
