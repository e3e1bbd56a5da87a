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
