/**
 * A receiver that misbehaves on purpose. Every case must end within its deadline, resolve (never
 * reject or throw), leave no unhandled rejection, and return the right ExportResult.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend, type OtlpBackendOptions } from '../../src/exporters/otlp/index.js';
import type { Diagnostic, ExportResult } from '../../src/model/batch.js';
import { batch } from './helpers/fixtures.js';
import { types } from './helpers/proto-decoder.js';
import { holdAnswers } from './helpers/held-answers.js';
import { closedPort, ok, startReceiver, type Receiver } from './helpers/receiver.js';

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
let rx: Receiver;
beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
  process.off('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 10));
  expect(unhandled).toEqual([]);
  rx.handler = ok;
});

const spansOnly = () => batch({ spans: true });

/** Where a bound on time is the property (ends at timeoutMs): 3× it and at least 2 s, so a loaded machine's late timers pass. */
const boundFor = (timeoutMs: number): number => Math.max(2000, 3 * timeoutMs);

async function run(options: OtlpBackendOptions, deadlineMs: number, b = spansOnly()) {
  const diags: Diagnostic[] = [];
  const start = rx.requests.length;
  const backend = new OtlpBackend({ endpoint: rx.url, retry: { initialBackoffMs: 20, maxBackoffMs: 50 }, onDiagnostic: (d) => diags.push(d), ...options });
  const t0 = performance.now();
  let result: ExportResult | undefined;
  let thrown: unknown;
  try {
    result = await backend.export(b);
  } catch (e) {
    thrown = e;
  }
  const elapsed = performance.now() - t0;
  await backend.shutdown();
  expect(thrown).toBeUndefined();
  expect(elapsed).toBeLessThan(deadlineMs);
  return { result: result!, diags, elapsed, requests: rx.requests.slice(start) };
}

describe('OTLP-09/10 retries and failures', () => {
  it('OTLP-10: refused connection is retried with backoff, then export_failed', async () => {
    const port = await closedPort();
    const { result, diags } = await run({ endpoint: `http://127.0.0.1:${port}`, retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 } }, 3000);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed', rejected: { spans: 3 } });
    // It names where it went (without a query, which may hold a key): on Workers a refused fetch says only "Network connection lost.".
    expect(result.error).toMatch(new RegExp(`^traces to http://127\\.0\\.0\\.1:${port}/v1/traces: network error.*after 3 attempts$`));
    expect(diags[0]).toMatchObject({ kind: 'export_failed', detail: { signal: 'traces', attempts: 3, items: 3 } });
  });

  it('OTLP-09: 500 is not retried', async () => {
    rx.handler = (_q, res) => res.writeHead(500).end('oops');
    const { result, requests } = await run({}, 2000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed', rejected: { spans: 3 } });
    expect(result.error).toContain('HTTP 500');
  });

  it('OTLP-09: 400 is never retried and counts as rejected, with the Status message (OTLP-08)', async () => {
    rx.handler = (_q, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"bad span"}');
    const { result, requests } = await run({ protocol: 'http/json' }, 2000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_rejected', error: `traces to ${rx.url}/v1/traces: HTTP 400: bad span` });
  });

  it('OTLP-10: 429 with Retry-After seconds waits that long, then succeeds', async () => {
    const first = rx.requests.length;
    rx.handler = (q, res, i) => (i === first ? res.writeHead(429, { 'retry-after': '1' }).end() : ok(q, res, i));
    const { result, requests } = await run({}, 3000);
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it('OTLP-10: 429 with Retry-After as an HTTP-date', async () => {
    const first = rx.requests.length;
    rx.handler = (q, res, i) =>
      i === first ? res.writeHead(429, { 'retry-after': new Date(Date.now() + 2000).toUTCString() }).end() : ok(q, res, i);
    const { result, requests } = await run({}, 4000);
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(900);
  });

  it('OTLP-10: a Retry-After that is neither delay-seconds nor an HTTP-date falls back to backoff', async () => {
    // "2.5" went to Date.parse, which reads it as a date in 2001: a retry with no wait at all.
    const first = rx.requests.length;
    rx.handler = (q, res, i) => (i - first < 2 ? res.writeHead(503, { 'retry-after': i === first ? '2.5' : '5, 6' }).end() : ok(q, res, i));
    const { result, requests } = await run({ retry: { initialBackoffMs: 400, maxBackoffMs: 400 } }, 3000);
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(3);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(190);
    expect(requests[2].at - requests[1].at).toBeGreaterThanOrEqual(190);
  });

  it('OTLP-09: 503 then 200 is retried with backoff and succeeds', async () => {
    const first = rx.requests.length;
    rx.handler = (q, res, i) => (i === first ? res.writeHead(503).end() : ok(q, res, i));
    const { result, requests } = await run({}, 2000);
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(2);
  });

  it('502/503/504 forever: gives up after maxAttempts', async () => {
    rx.handler = (_q, res, i) => res.writeHead([502, 503, 504][i % 3]).end();
    const { result, requests } = await run({ retry: { maxAttempts: 4, initialBackoffMs: 5, maxBackoffMs: 10 } }, 2000);
    expect(requests).toHaveLength(4);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed' });
  });

  it('a Retry-After past the deadline gives up at once instead of waiting', async () => {
    rx.handler = (_q, res) => res.writeHead(429, { 'retry-after': '120' }).end();
    // Before the deadline, not at it: export_failed, not the export_timeout its timer would give,
    // and inside half of it (milliseconds when it gives up, the whole 20 s had it waited).
    const timeoutMs = 20_000;
    const { result, requests } = await run({ timeoutMs }, timeoutMs / 2);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed' });
    expect(result.error).toMatch(/past the deadline/);
  });

  it('timeoutMs 0 (no deadline): a Retry-After longer than the cap gives up at once instead of holding the export for an hour', async () => {
    rx.handler = (_q, res) => res.writeHead(429, { 'retry-after': '3600' }).end();
    const { result, requests, diags } = await run({ timeoutMs: 0 }, 2000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed', rejected: { spans: 3 } });
    expect(result.error).toMatch(/next retry in 3600000 ms is past the deadline/);
    expect(diags[0]).toMatchObject({ kind: 'export_failed', detail: { attempts: 1, items: 3 } });
  });

  it('timeoutMs 0 (no deadline): a Retry-After within the cap is still honoured and the retry happens', async () => {
    const first = rx.requests.length;
    rx.handler = (q, res, i) => (i === first ? res.writeHead(503, { 'retry-after': '1' }).end() : ok(q, res, i));
    const { result, requests, elapsed } = await run({ timeoutMs: 0 }, 3000);
    expect(result).toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });
});

describe("timeouts bound each signal's request, retries included", () => {
  it('a response slower than timeoutMs ends as export_timeout near the deadline', async () => {
    const held = holdAnswers(rx); // no answer before the export has ended
    try {
      const { result, elapsed } = await run({ timeoutMs: 300 }, boundFor(300));
      expect(result).toMatchObject({ ok: false, reason: 'export_timeout', rejected: { spans: 3 } });
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(held.held).toHaveLength(1);
    } finally {
      held.stop();
    }
  });

  it('retries count against the same budget', async () => {
    rx.handler = (_q, res) => res.writeHead(503).end();
    const { result } = await run({ timeoutMs: 400, retry: { maxAttempts: 100, initialBackoffMs: 100, maxBackoffMs: 100 } }, boundFor(400));
    expect(result.ok).toBe(false);
    expect(['export_timeout', 'export_failed']).toContain(result.reason);
  });

  it('an injected fetch that ignores the abort signal still ends at the deadline', async () => {
    const signals: AbortSignal[] = [];
    const { result } = await run({ timeoutMs: 200, fetch: (_url, init) => (signals.push(init.signal!), new Promise<Response>(() => undefined)) }, boundFor(200));
    expect(result).toMatchObject({ ok: false, reason: 'export_timeout' });
    // The abandoned request is told to stop.
    expect(signals.map((s) => s.aborted)).toEqual([true]);
  });

  it('a completed export leaves the signal it gave fetch unaborted (nothing is left to cancel)', async () => {
    const signals: AbortSignal[] = [];
    const { result, requests } = await run({ timeoutMs: 5000, fetch: (url, init) => (signals.push(init.signal!), fetch(url, init)) }, 2000, batch({ spans: true, logs: true }));
    expect(result.ok).toBe(true);
    expect(requests).toHaveLength(2);
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
  });
});

describe('OTLP-07 partial success', () => {
  it('protobuf partial success: not retried, reported in rejected and diagnostics', async () => {
    const body = types.tracesResponse.encode(types.tracesResponse.fromObject({ partialSuccess: { rejectedSpans: 2, errorMessage: 'spans too old' } })).finish();
    rx.handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(body));
    const { result, requests, diags } = await run({}, 2000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_rejected', rejected: { spans: 2 } });
    expect(result.error).toContain('spans too old');
    expect(diags[0]).toMatchObject({ kind: 'export_rejected', detail: { items: 2 } });
  });

  it('JSON partial success for metrics and logs, int64 as a string', async () => {
    rx.handler = (q, res) => {
      const path = q.path;
      const ps = path.endsWith('metrics') ? { rejectedDataPoints: '3', errorMessage: 'bad unit' } : { rejectedLogRecords: 1 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ partialSuccess: ps }));
    };
    const { result, requests } = await run({ protocol: 'http/json' }, 2000, batch({ spans: false, logs: true, metrics: true }));
    expect(requests).toHaveLength(2);
    expect(result).toMatchObject({ ok: false, reason: 'export_rejected', rejected: { dataPoints: 3, logs: 1 } });
  });

  it('a partial success claiming more rejected items than were sent counts only those sent', async () => {
    // Uncapped, the monitor's dropped_total grew by whatever the server wrote (here 10^19).
    rx.handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"partialSuccess":{"rejectedSpans":"10000000000000000000"}}');
    const { result, diags } = await run({ protocol: 'http/json' }, 2000);
    expect(result).toMatchObject({ ok: false, reason: 'export_rejected', rejected: { spans: 3 } });
    expect(diags[0]).toMatchObject({ kind: 'export_rejected', detail: { items: 3 } });
  });

  it('OTLP-06: a 200 whose partial_success is unset (no body, an empty message, {} or an empty partialSuccess) is full success: sent once, nothing reported', async () => {
    const empty = Buffer.from(types.tracesResponse.encode(types.tracesResponse.fromObject({})).finish());
    const answers: [string, Buffer | string | undefined, OtlpBackendOptions][] = [
      ['application/x-protobuf', undefined, {}],
      ['application/x-protobuf', empty, {}],
      ['application/json', '{}', { protocol: 'http/json' }],
      ['application/json', '{"partialSuccess":{}}', { protocol: 'http/json' }],
    ];
    for (const [type, body, options] of answers) {
      rx.handler = (_q, res) => res.writeHead(200, { 'content-type': type }).end(body);
      const { result, requests, diags } = await run(options, 2000);
      expect([type, body, result, requests.length, diags]).toEqual([type, body, { ok: true }, 1, []]);
    }
  });

  it('a warning (rejected 0 with a message) is a success reported through diagnostics', async () => {
    rx.handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"partialSuccess":{"errorMessage":"deprecated field"}}');
    const { result, diags } = await run({ protocol: 'http/json' }, 2000);
    expect(result).toEqual({ ok: true });
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ kind: 'export' });
    expect(diags[0].message).toContain('deprecated field');
  });
});

describe('OTLP-05 size limits', () => {
  it('ENV-07: a response with Content-Length over 4 MiB (the default maximum response size) is not read and not retried', async () => {
    rx.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': String(5 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    };
    const { result, requests } = await run({}, 2000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed' });
    expect(result.error).toContain('larger than 4 MiB');
  });

  it('OTLP-05: a retryable status (503) whose Content-Length is over 4 MiB is a non-retryable error: one request, no retry', async () => {
    rx.handler = (_q, res) => {
      res.writeHead(503, { 'content-type': 'application/x-protobuf', 'content-length': String(5 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    };
    const { result, requests } = await run({}, 2000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed' });
    expect(result.error).toContain('larger than 4 MiB');
  });

  it('a chunked response growing past 4 MiB is cut off while streaming', async () => {
    rx.handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      const chunk = Buffer.alloc(256 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 24 && res.write(chunk)) sent++;
        if (sent < 24 && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      pump();
    };
    const { result, requests } = await run({}, 3000);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, reason: 'export_failed' });
  });

  it('ENV-07: a request body over 64 MiB (the default maximum request size, 67108864 bytes) is never sent', async () => {
    const big = batch({ spans: false, logs: true });
    const body = 'x'.repeat(1024 * 1024);
    const logs = Array.from({ length: 65 }, () => ({ ...big.logs[1], body }));
    const { result, requests } = await run({}, 10_000, { ...big, logs });
    expect(requests).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, reason: 'export_too_large', rejected: { logs: 65 } });
  });
});

describe('mixed outcomes', () => {
  it('one signal failing does not hide the others succeeding', async () => {
    rx.handler = (q, res, i) => (q.path.endsWith('logs') ? res.writeHead(400).end() : ok(q, res, i));
    const { result, requests } = await run({}, 2000, batch());
    expect(requests).toHaveLength(3);
    expect(result).toMatchObject({ ok: false, reason: 'export_rejected', rejected: { logs: 3 } });
    expect(result.rejected?.spans).toBeUndefined();
  });
});
