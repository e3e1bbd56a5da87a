import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { createMonitor } from '../monitor.js';
import { MemoryBackend } from '../exporters/memory/memory-backend.js';

const quiet = { onDiagnostic: () => {} };

describe('configuration errors throw at construction, naming the option (DESIGN 5)', () => {
  it('contextStorage that is neither a ContextStorage nor an AsyncLocalStorage class throws, and later spans still work', () => {
    for (const bad of [{}, { run: () => 1 }, 'als', 1, null, () => {}, class {}]) {
      expect(() => createMonitor({ ...quiet, backends: [], contextStorage: bad as never })).toThrow(/`contextStorage` must be/);
    }
    const monitor = createMonitor({ ...quiet, backends: [new MemoryBackend()] });
    expect(() => monitor.tracer.startActiveSpan('x', (s) => s.end())).not.toThrow();
    expect(() => monitor.openScope().run(() => monitor.tracer.startSpan('y').end())).not.toThrow();
  });

  it('contextStorage accepts an AsyncLocalStorage class and a { run, get } object', () => {
    const plain = { kind: 'synchronous' as const, run: <R>(_v: unknown, fn: () => R): R => fn(), get: () => undefined };
    expect(() => createMonitor({ ...quiet, backends: [], contextStorage: plain })).not.toThrow();
    expect(() => createMonitor({ ...quiet, backends: [], contextStorage: AsyncLocalStorage as never })).not.toThrow();
    const monitor = createMonitor({ ...quiet, backends: [] });
    expect(monitor.tracer.startActiveSpan('x', (s) => { s.end(); return 1; })).toBe(1);
  });
});

describe('wrongly typed nested options throw at construction, naming the option (DESIGN 5)', () => {
  const cases: [string, unknown, RegExp][] = [
    ['resource as a string (was spread per character)', { resource: 'deployment.environment.name=prod' }, /`resource` must be an object/],
    ['resource null', { resource: null }, /`resource` must be an object/],
    ['resource array', { resource: ['a'] }, /`resource` must be an object/],
    ['resource with a nested object', { resource: { a: { b: 1 } } }, /`resource\["a"\]` must be a string, number, boolean/],
    ['resource with an empty attribute key', { resource: { '': 'x' } }, /`resource` has an attribute with an empty key; name it/],
    ['resource with an empty key among others', { resource: { ok: 'y', '': 0 } }, /`resource` has an attribute with an empty key/],
    ['logging as a level string', { logging: 'debug' }, /`logging` must be an object such as \{ level: "debug" \}/],
    ['logging null', { logging: null }, /`logging` must be an object/],
    ['unknown key inside logging', { logging: { lvl: 'debug' } }, /unknown option `logging.lvl`/],
    ['logging.redactDefaults as a string', { logging: { redactDefaults: 'no' } }, /`logging.redactDefaults` must be true or false/],
    ['metrics as a string', { metrics: 'on' }, /`metrics` must be an object/],
    ['metrics.exemplars as a string', { metrics: { exemplars: 'no' } }, /`metrics.exemplars` must be true or false, got "no"/],
    ['unknown key inside metrics', { metrics: { exemplar: false } }, /unknown option `metrics.exemplar`/],
    ['disabled as a string', { disabled: 'true' }, /`disabled` must be true or false/],
    ['limits as an array', { limits: [] }, /`limits` must be an object/],
    ['otlp as an endpoint string', { otlp: 'http://x' }, /`otlp` must be an object/],
    // A Workers var or env variable is text: "got 2000" read as a valid value.
    ['flushTimeoutMs as text (an env var)', { flushTimeoutMs: '2000' }, /`flushTimeoutMs` must be a number > 0, got "2000"\./],
    ['batchWindowMs as text', { batchWindowMs: '5' }, /`batchWindowMs` must be a number from 0 to 25000 .*, got "5"\./],
  ];
  for (const [name, options, re] of cases) {
    it(name, () => expect(() => createMonitor({ ...quiet, backends: [], ...(options as object) })).toThrow(re));
  }

  it('options given as an array', () => {
    expect(() => createMonitor([] as never)).toThrow(/options must be an object/);
  });

  it('well-typed nested options are still accepted', () => {
    expect(() =>
      createMonitor({
        ...quiet,
        backends: [],
        resource: { 'deployment.environment.name': 'prod', 'k8s.pod.count': 3, ok: true, tags: ['a', 'b'], skipped: undefined as never },
        logging: { level: 'DEBUG' as never, redactFields: ['ssn'], redactDefaults: true },
        metrics: { exemplars: false },
        disabled: false,
        limits: { cardinalityLimit: 10 },
        otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      }),
    ).not.toThrow();
  });
});

describe('`otlp` given to createMonitor without backends (createMonitor({ ...configFromEnv(env) }))', () => {
  it('is reported once as a config diagnostic naming what to pass, since only the runtime adapters build an OTLP backend from it', () => {
    const seen: { kind: string; message: string }[] = [];
    createMonitor({ onDiagnostic: (d) => seen.push(d), otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' } });
    expect(seen).toHaveLength(1);
    expect(seen[0].kind).toBe('config');
    expect(seen[0].message).toMatch(/backends: \[new OtlpBackend\(otlpOptionsFromEnv\(env\)\)\]/);
  });

  it('is not reported when backends are given, or telemetry is disabled', () => {
    const seen: unknown[] = [];
    createMonitor({ onDiagnostic: (d) => seen.push(d), backends: [], otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' } });
    createMonitor({ onDiagnostic: (d) => seen.push(d), disabled: true, otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' } });
    expect(seen).toEqual([]);
  });
});
