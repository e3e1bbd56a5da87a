import { describe, expect, it } from 'vitest';
import { otlpOptionsFromEnv } from './env.js';

describe('otlpOptionsFromEnv warnings say what to write', () => {
  it('an unknown OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE names the values it takes, as TIMEOUT, COMPRESSION and PROTOCOL do', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes' }, (m) => warnings.push(m));
    expect(o.temporality).toBeUndefined();
    expect(warnings).toEqual(['ignored OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="sometimes": expected cumulative, delta or lowmemory']);
  });
});

describe('otlpOptionsFromEnv given a Workers env', () => {
  /** As wrangler types it: an interface, bindings beside vars; a var written without quotes is a JSON number or boolean. */
  interface WorkerEnv {
    OTEL_EXPORTER_OTLP_ENDPOINT: string;
    OTEL_EXPORTER_OTLP_TIMEOUT: number;
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: number;
    OTEL_LOGS_EXPORTER: boolean;
    KV: { get(key: string): Promise<string | null> };
  }

  it('reads a var written without quotes as its text and ignores bindings, never throwing (ENV-13)', () => {
    const env: WorkerEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com',
      OTEL_EXPORTER_OTLP_TIMEOUT: 5000,
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 0,
      OTEL_LOGS_EXPORTER: true,
      KV: { get: async () => null },
    };
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv(env, (m) => warnings.push(m));
    expect(o).toMatchObject({ endpoint: 'https://collector.example.com', timeoutMs: 5000, tracesTimeoutMs: 0 });
    expect(o.signals).toBeUndefined();
    expect(warnings).toEqual(['ignored OTEL_LOGS_EXPORTER="true": only otlp, console and none are supported']);
  });

  it('a binding under an OTEL_EXPORTER_OTLP_ name is no value', () => {
    const warnings: string[] = [];
    expect(otlpOptionsFromEnv({ OTEL_EXPORTER_OTLP_HEADERS: { a: 1 } }, (m) => warnings.push(m))).toEqual({});
    expect(warnings).toEqual([]);
  });
});
