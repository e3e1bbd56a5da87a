import { describe, expect, it } from 'vitest';
import { OtlpBackend } from './otlp-backend.js';
import { otlpOptionsFromEnv } from './env.js';

describe('OtlpBackend configuration messages', () => {
  it('signals: [] throws at construction, saying what to do', () => {
    expect(() => new OtlpBackend({ signals: [] })).toThrow(
      /option "signals" is empty: give at least one signal, or leave the OtlpBackend out$/,
    );
  });

  it('every signal turned off by OTEL_*_EXPORTER=none is a setting, not a mistake: no throw', () => {
    const warnings: string[] = [];
    const o = otlpOptionsFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }, (m) => void warnings.push(m));
    expect(o.signals).toEqual([]);
    const b = new OtlpBackend({ ...o });
    expect(b.temporality).toBe('none');
    expect(warnings).toEqual([]);
  });

  it('retry.maxAttempts is a count of attempts, not milliseconds', () => {
    expect(() => new OtlpBackend({ retry: { maxAttempts: 0 } })).toThrow(/option "retry.maxAttempts" must be a finite number ≥ 1 \(attempts, the first one included\), got 0$/);
    expect(() => new OtlpBackend({ retry: { maxAttempts: 2.5 } })).toThrow(/"retry.maxAttempts" must be an integer ≥ 1 \(attempts, the first one included\), got 2.5$/);
  });

  it('NaN and Infinity are shown as such (JSON would write null), strings quoted', () => {
    expect(() => new OtlpBackend({ timeoutMs: NaN })).toThrow(/option "timeoutMs" must be a finite number ≥ 0 \(milliseconds\), got NaN$/);
    expect(() => new OtlpBackend({ metricsTimeoutMs: Infinity })).toThrow(/got Infinity$/);
    expect(() => new OtlpBackend({ timeoutMs: '100' as never })).toThrow(/got "100"$/);
    expect(() => new OtlpBackend({ retry: { initialBackoffMs: -5 } })).toThrow(/"retry.initialBackoffMs" must be a finite number ≥ 0 \(milliseconds\), got -5$/);
  });
});
