/** Headers the HTTP client owns: given in code they throw at construction, from the environment they are skipped with a warning. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpBackend, otlpOptionsFromEnv } from '../../src/exporters/otlp/index.js';
import { batch } from './helpers/fixtures.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
});

const CLIENT = { 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5', expect: '100-continue', upgrade: 'h2c', 'content-length': '12', connection: 'Upgrade' };

describe('connection and framing headers', () => {
  it.each(Object.entries(CLIENT))('headers: { %s } throws at construction, saying to leave it out (every export failed in Node, retried as a network error)', (name, value) => {
    expect(() => new OtlpBackend({ headers: { 'x-ok': '1', [name]: value } })).toThrow(new RegExp(`option "headers" header "${name}" is the HTTP client's to set .*leave it out`));
    expect(() => new OtlpBackend({ logsHeaders: { [name.toUpperCase()]: value } })).toThrow(/option "logsHeaders"/);
  });

  it('ENV-13: from OTEL_EXPORTER_OTLP_HEADERS they are skipped with a warning naming the variable, and the export delivers with the other headers', async () => {
    const warnings: string[] = [];
    const list = Object.entries(CLIENT).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
    const options = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-api-key=k1,${list}` }, (m) => warnings.push(m));
    expect(warnings).toHaveLength(Object.keys(CLIENT).length);
    for (const w of warnings) expect(w).toMatch(/^ignored OTLP header ".+": it is the HTTP client's to set .* \(in OTEL_EXPORTER_OTLP_TRACES_HEADERS\)$/);
    const backend = new OtlpBackend({ ...options, retry: { maxAttempts: 1 } });
    const start = rx.requests.length;
    const result = await backend.export(batch({ spans: true }));
    await backend.shutdown();
    expect(result).toEqual({ ok: true });
    expect(rx.requests.slice(start)).toHaveLength(1);
    expect(rx.requests[start].headers['x-api-key']).toBe('k1');
  });

  it('a malformed entry says which variable holds it', () => {
    const warnings: string[] = [];
    otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'noequals,k=v' }, (m) => warnings.push(m));
    expect(warnings).toEqual(['ignored a malformed OTLP header entry (in OTEL_EXPORTER_OTLP_METRICS_HEADERS)']);
  });
});
