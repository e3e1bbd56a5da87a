import { describe, expect, it } from 'vitest';
import { createMonitor } from '../monitor.js';
import { MemoryBackend } from '../exporters/memory/memory-backend.js';
import { configFromEnv } from './env.js';

// configFromEnv returns at once for a plain env without OTEL_* keys (nothing is read on the first
// request of a Worker, where the monitor is built); what it reads otherwise is unchanged.
describe('configFromEnv: an env without OTEL_* variables', () => {
  it('a Worker env of bindings and vars gives no options and no warning', () => {
    const warnings: string[] = [];
    const env = { KV: { get() {} }, API_URL: 'https://api.example', DEBUG: true, LIMIT: 5 };
    expect(configFromEnv(env, { onWarning: (m) => warnings.push(m) })).toEqual({});
    expect(configFromEnv({}, { onWarning: (m) => warnings.push(m) })).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('one OTEL_* key among the bindings is read, and bad values still warn', () => {
    const warnings: string[] = [];
    const env = { KV: {}, OTEL_SERVICE_NAME: 'api', OTEL_SDK_DISABLED: 'maybe' };
    expect(configFromEnv(env, { onWarning: (m) => warnings.push(m) })).toEqual({ serviceName: 'api' });
    expect(warnings).toHaveLength(1);
  });

  it('an env that is no plain object is read name by name: class getters, inherited keys, a null prototype', () => {
    class Env {
      get OTEL_SERVICE_NAME(): string {
        return 'from-getter';
      }
    }
    expect(configFromEnv(new Env()).serviceName).toBe('from-getter');
    expect(configFromEnv(Object.create({ OTEL_SERVICE_NAME: 'inherited' })).serviceName).toBe('inherited');
    const bare = Object.assign(Object.create(null), { OTEL_TRACES_SAMPLER: 'always_off' });
    expect(configFromEnv(bare).sampler).toBe('always_off');
  });

  it('not an object: no options', () => {
    for (const env of [undefined, null, 'OTEL_SERVICE_NAME=x', 3]) expect(configFromEnv(env as never)).toEqual({});
  });
});

describe('createMonitor: tailSampling is checked and applied only when given', () => {
  it('a wrong value still throws where the monitor is built, a given policy still decides', async () => {
    for (const bad of [null, 0, 'errors', false]) expect(() => createMonitor({ tailSampling: bad as never, backends: [] })).toThrow(/tailSampling/);
    const memory = new MemoryBackend();
    const monitor = createMonitor({ backends: [memory], tailSampling: { keepErrors: true, ratio: 0 } });
    const scope = monitor.openScope();
    scope.run(() => monitor.tracer.startSpan('dropped').end());
    await scope.close();
    expect(memory.spans).toHaveLength(0);
  });
});

describe('createMonitor: the checks of the less common options run whenever one is given', () => {
  it('each wrong on its own throws, beside the usual options or alone', () => {
    const wrong: [string, unknown, RegExp][] = [
      ['logging', { levle: 'debug' }, /logging\.levle/],
      ['metrics', { exemplars: 'no' }, /metrics\.exemplars/],
      ['tailSampling', { slowerThan: 5 }, /tailSampling\.slowerThan/],
      ['propagators', ['b3'], /propagators/],
      ['disabled', 'true', /disabled/],
      ['otlp', { endpoint: 'http://x' }, /otlp\.endpoint/],
      ['onDiagnostic', 'console', /onDiagnostic/],
      ['contextStorage', {}, /contextStorage/],
      ['limits', { cardinality: 5 }, /limits\.cardinality/],
    ];
    for (const [k, v, message] of wrong) {
      expect(() => createMonitor({ [k]: v, backends: [] })).toThrow(message);
      expect(() => createMonitor({ serviceName: 'api', backends: [], batchWindowMs: 100, [k]: v })).toThrow(message);
    }
  });

  it('`otlp` without backends is still reported', () => {
    const seen: string[] = [];
    createMonitor({ otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, onDiagnostic: (d) => void seen.push(d.kind) });
    expect(seen).toEqual(['config']);
  });
});
