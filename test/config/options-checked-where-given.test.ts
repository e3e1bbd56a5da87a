/**
 * An adapter given an options object checks it where it is given (`instrument()` on Workers, where
 * the Worker's module is evaluated; `monitorMiddleware()` where the Hono app is built), through
 * checkOptions. A misspelt limit, an unknown log level or a bad tail-sampling ratio passed that
 * check and threw only when the monitor was built at the first request: on Workers, every request
 * then failed with the exception.
 */
import { describe, expect, test, vi } from 'vitest';
import { checkOptions } from '../../src/config/options.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { instrument } from '../../runtimes/cloudflare-workers/index.js';
import { withEnv } from '../../src/adapter/monitor-from-config.js';

const MISTAKES: [string, object, RegExp][] = [
  ['a misspelt limit', { limits: { atributeCountLimit: 5 } }, /^createMonitor: unknown limit `limits\.atributeCountLimit`; known limits are attributeCountLimit, /],
  ['a limit that is no count', { limits: { cardinalityLimit: 0 } }, /^createMonitor: `limits\.cardinalityLimit` must be an integer ≥ 1/],
  ['limits that are no object', { limits: 100 }, /^createMonitor: `limits` must be an object/],
  ['an unknown log level', { logging: { level: 'warning' } }, /^createMonitor: `logging\.level` must be one of trace, debug, info, warn, error, fatal, got "warning"\.$/],
  ['a tail-sampling ratio out of range', { tailSampling: { ratio: 5 } }, /`tailSampling\.ratio` must be a number in \[0, 1\], got 5/],
  ['tailSampling that is no object or function', { tailSampling: 'errors' }, /^createMonitor: `tailSampling` must be an options object or a function of the finished spans\.$/],
];

describe('option values are checked with the option names', () => {
  for (const [what, options, message] of MISTAKES) {
    test(`checkOptions: ${what}`, () => {
      expect(() => checkOptions({ serviceName: 'api', backends: [], ...options })).toThrow(message);
    });
  }

  test('the values they check pass', () => {
    expect(() => checkOptions({ backends: [], limits: { attributeCountLimit: 0, cardinalityLimit: Infinity }, logging: { level: 'debug' }, tailSampling: { ratio: 0.1 } })).not.toThrow();
    expect(() => checkOptions({ backends: [], tailSampling: () => true })).not.toThrow();
  });

  test("Workers instrument() throws where it is given them, not at each request", () => {
    for (const [, options, message] of MISTAKES) {
      expect(() => instrument({ fetch: async () => new Response('ok') }, { serviceName: 'api', ...options } as never)).toThrow(message);
    }
  });

  test('monitorMiddleware() throws where the app is built', () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const [, options, message] of MISTAKES) expect(() => monitorMiddleware({ serviceName: 'api', ...options } as never)).toThrow(message);
    } finally {
      printed.mockRestore();
    }
  });
});

describe('`otlp` given in code holds the variables as text', () => {
  test('a variable given as an object (the headers as a record) throws naming it, instead of being read as unset', () => {
    const headers = { OTEL_EXPORTER_OTLP_HEADERS: { authorization: 'Bearer x' } };
    expect(() => checkOptions({ backends: [], otlp: headers })).toThrow(
      /^createMonitor: `otlp\.OTEL_EXPORTER_OTLP_HEADERS` must be the variable's text \(a string\), got an object; for OtlpBackend options \(endpoint, headers, …\) pass backends: \[new OtlpBackend\(\{ … \}\)\]\.$/,
    );
    expect(() => instrument({ fetch: async () => new Response('ok') }, { otlp: headers } as never)).toThrow(/`otlp\.OTEL_EXPORTER_OTLP_HEADERS` must be the variable's text/);
    // Text, and what a Workers var is when written without quotes (a number or a boolean), is read.
    expect(() => checkOptions({ backends: [], otlp: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TIMEOUT: 5000, OTEL_TRACES_EXPORTER: undefined } })).not.toThrow();
  });
});

describe('the sampler and the limits, where an adapter is given them', () => {
  test('a bad sampler throws where instrument() or monitorMiddleware() is given it, not at each request', () => {
    expect(() => instrument({ fetch: async () => new Response('ok') }, { serviceName: 'api', sampler: 'bogus' } as never)).toThrow(/unknown sampler "bogus"/);
    expect(() => monitorMiddleware({ serviceName: 'api', sampler: 'bogus' } as never)).toThrow(/unknown sampler "bogus"/);
  });

  test('limits given in code join the OTEL_*_LIMIT variables limit by limit instead of replacing them', () => {
    const merged = withEnv({ backends: [], limits: { cardinalityLimit: 500 } }, { OTEL_ATTRIBUTE_COUNT_LIMIT: '7' });
    expect(merged.limits).toMatchObject({ cardinalityLimit: 500, attributeCountLimit: 7 });
    // Code wins over the environment for the same limit (ENV-10).
    expect(withEnv({ backends: [], limits: { attributeCountLimit: 3 } }, { OTEL_ATTRIBUTE_COUNT_LIMIT: '7' }).limits).toMatchObject({ attributeCountLimit: 3 });
  });
});
