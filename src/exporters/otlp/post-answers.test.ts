/**
 * What the exporter makes of two answers: a 2xx whose body is over the 4 MiB read cap (OTLP-05: a
 * non-retryable error),
 * and a redirect whose Location carries credentials.
 */
import { describe, expect, it } from 'vitest';
import { OtlpBackend } from './otlp-backend.js';
import { MAX_RESPONSE_BYTES } from './response.js';
import { batch } from '../../../test/otlp/helpers/fixtures.js';

/** A body of `bytes` streamed in 1 MiB chunks, without a Content-Length. */
function streamed(bytes: number): ReadableStream<Uint8Array> {
  let left = bytes;
  return new ReadableStream({
    pull(c) {
      const n = Math.min(left, 1024 * 1024);
      left -= n;
      if (n > 0) c.enqueue(new Uint8Array(n));
      else c.close();
    },
  });
}

describe('a 2xx whose body is over 4 MiB', () => {
  // OTLP-05: a response larger than the 4 MiB cap MUST be treated as a non-retryable error.
  for (const [how, answer] of [
    ['Content-Length', () => new Response(new Uint8Array(16), { status: 200, headers: { 'content-type': 'application/x-protobuf', 'content-length': String(MAX_RESPONSE_BYTES + 1) } })],
    ['streamed', () => new Response(streamed(MAX_RESPONSE_BYTES + 1), { status: 200, headers: { 'content-type': 'application/x-protobuf' } })],
  ] as const) {
    it(`(${how}) is a non-retryable error (OTLP-05): one request, export_failed`, async () => {
      let calls = 0;
      const backend = new OtlpBackend({ onDiagnostic: () => undefined, fetch: async () => (calls++, answer()) });
      expect(await backend.export(batch({ spans: true }))).toMatchObject({ ok: false, reason: 'export_failed', error: expect.stringContaining('larger than 4 MiB') });
      expect(calls).toBe(1);
    });
  }
});

describe("a redirect's Location in the error", () => {
  const redirect = async (endpoint: string, location: string): Promise<string> => {
    const backend = new OtlpBackend({ endpoint, fetch: async () => new Response(null, { status: 308, headers: { location } }) });
    const r = await backend.export(batch({ spans: true }));
    return r.error ?? '';
  };

  it('is shown without user:password, query and fragment, as the endpoint is', async () => {
    expect(await redirect('https://u:pw@collector.example', 'https://u:pw@collector.example/otlp/v1/traces?k=v#f')).toBe(
      'traces to https://collector.example/v1/traces: HTTP 308 redirect to https://collector.example/otlp/v1/traces, not followed: set the endpoint to the final URL',
    );
    expect(await redirect('https://collector.example', 'http://admin:s3@other.example:8080/v1/traces')).toContain('redirect to http://other.example:8080/v1/traces, not followed');
    // Scheme-relative (another host): resolved against the request URL, as fetch would, and its
    // credentials not shown either.
    expect(await redirect('https://collector.example', '//joe:pa@other.example/v1/traces')).toContain('redirect to https://other.example/v1/traces, not followed');
    expect(await redirect('https://collector.example', '/\\joe:pa@other.example/v1/traces')).toContain('redirect to https://other.example/v1/traces, not followed');
  });

  it('a path on the same server stays a path; one that is no URL is said to be', async () => {
    expect(await redirect('https://collector.example', '/final/v1/traces?api-key=k')).toContain('redirect to /final/v1/traces, not followed');
    expect(await redirect('https://collector.example', 'http://[bad')).toContain('redirect to [invalid url], not followed');
  });
});
