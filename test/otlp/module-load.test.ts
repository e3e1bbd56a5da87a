import { afterEach, describe, expect, it, vi } from 'vitest';

// A Worker evaluates its bundle's top-level code on every cold start (BENCHMARKS.md "Start-up in
// workerd"): the OTLP exporter must prepare its tables and JSON literals on first use, not on import.
describe('loading the OTLP exporter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('encodes no text and fills no lookup table until the first export', async () => {
    vi.resetModules();
    const encode = vi.spyOn(TextEncoder.prototype, 'encode');
    const fill = vi.spyOn(Int16Array.prototype, 'fill');
    const otlp = await import('../../src/exporters/otlp/index.js');
    await import('../../runtimes/cloudflare-workers/index.js');
    expect(encode).not.toHaveBeenCalled();
    expect(fill).not.toHaveBeenCalled();

    // The first encode of each kind prepares what it needs (the field-by-field checks are in
    // test/otlp/encoders.test.ts).
    const { batch, TRACE_ID, ROOT_ID } = await import('./helpers/fixtures.js');
    const b = batch({ spans: true, logs: true, metrics: true });
    const json = JSON.parse(new TextDecoder().decode(otlp.encodeTracesJson(b)));
    expect(json.resourceSpans[0].scopeSpans[0].spans[0]).toMatchObject({ traceId: TRACE_ID, spanId: ROOT_ID });
    expect(encode).toHaveBeenCalled();
    expect(fill).not.toHaveBeenCalled();
    expect(otlp.encodeTracesProto(b).length).toBeGreaterThan(0);
    expect(fill).toHaveBeenCalledTimes(1);
  });
});
