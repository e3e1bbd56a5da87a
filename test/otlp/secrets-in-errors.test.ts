/**
 * The exporter's secrets never leave in its messages (README: "The OTLP exporter never prints its
 * own headers"), whatever a runtime or a collector echoes: header values and the token of
 * `Bearer <token>`, the endpoint's query values, and `user:password@` credentials, which fetch
 * refuses in a URL and so travel as Basic auth.
 */
import { describe, expect, it } from 'vitest';
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import type { Diagnostic } from '../../src/model/batch.js';
import { batch } from './helpers/fixtures.js';

type Seen = { url: string; authorization: string | null };

async function exportWith(endpoint: string, fetchImpl: (url: string, init: RequestInit) => Promise<Response>, headers?: Record<string, string>) {
  const diags: Diagnostic[] = [];
  const seen: Seen[] = [];
  const backend = new OtlpBackend({
    endpoint,
    headers,
    retry: { maxAttempts: 1 },
    onDiagnostic: (d) => diags.push(d),
    fetch: (input, init) => {
      const url = typeof input === 'string' ? input : String((input as { url?: string }).url ?? input);
      seen.push({ url, authorization: new Headers(init?.headers).get('authorization') });
      return fetchImpl(url, init ?? {});
    },
  });
  const result = await backend.export(batch({ spans: true }));
  await backend.shutdown();
  return { text: JSON.stringify([result, diags.map((d) => d.message)]), result, seen };
}

describe('OTLP exporter secrets in errors', () => {
  it('an endpoint with user:password@ posts to the URL without them, as Basic auth, and no message holds them', async () => {
    const { text, seen } = await exportWith('http://alice:S3cr3t%21Pass@collector.test:4318/', async (url) => {
      throw new TypeError(`fetch failed for ${url} (alice:S3cr3t!Pass)`);
    });
    expect(seen[0]).toEqual({ url: 'http://collector.test:4318/v1/traces', authorization: `Basic ${btoa('alice:S3cr3t!Pass')}` });
    expect(text).not.toMatch(/S3cr3t|alice|YWxpY2/);
  });

  it('the query values of the endpoint are redacted from a runtime error that quotes the URL', async () => {
    const { text, result } = await exportWith('http://collector.test:4318/?api-key=QUERYKEY123456&tenant=acme', async (url) => {
      throw new TypeError(`error sending request for url (${url}): connection refused`);
    });
    expect(result.ok).toBe(false);
    expect(text).toContain('error sending request for url');
    expect(text).not.toContain('QUERYKEY123456');
  });

  it("a bearer token the collector echoes without 'Bearer ' is redacted", async () => {
    const { text } = await exportWith('http://collector.test:4318', async () => new Response('invalid api token tok_ABCDEF123456', { status: 401 }), {
      authorization: 'Bearer tok_ABCDEF123456',
    });
    expect(text).toContain('HTTP 401');
    expect(text).not.toContain('tok_ABCDEF123456');
  });
});
