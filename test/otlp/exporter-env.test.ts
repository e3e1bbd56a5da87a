// ENV-16: OTEL_{TRACES,METRICS,LOGS}_EXPORTER, as the runtime adapters read them (withEnv) when
// no backend is given in code: otlp, console and none per signal; other exporters are warned.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withEnv } from '../../src/adapter/monitor-from-config.js';
import { configFromEnv } from '../../src/config/env.js';
import { Monitor } from '../../src/monitor.js';

afterEach(() => vi.restoreAllMocks());

/** What one span, one log and one counter become: lines printed by kind, and OTLP paths posted. */
async function run(env: Record<string, string>): Promise<{ printed: string[]; posted: string[] }> {
  const posted: string[] = [];
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input) => {
    posted.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return new Response(null, { status: 200 });
  });
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void lines.push(...String(text).split('\n')));
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const monitor = new Monitor(withEnv({ serviceName: 't' }, env));
  monitor.tracer.startSpan('s').end();
  monitor.logger.info('l');
  monitor.metrics.createCounter('jobs_total', 'Jobs').add(1);
  await monitor.flush();
  await monitor.shutdown();
  const printed = [...new Set(lines.map((l) => /^\[(span|log|metric)\]/.exec(l)?.[1]).filter((k) => k !== undefined))].sort();
  return { printed, posted: [...new Set(posted)].sort() };
}

describe('OTEL_{TRACES,METRICS,LOGS}_EXPORTER (ENV-16)', () => {
  it('unset, without OTLP variables: the console, every signal', async () => {
    expect(await run({})).toEqual({ printed: ['log', 'metric', 'span'], posted: [] });
  });

  it('console for one signal and none for the others prints that signal only', async () => {
    expect(await run({ OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' })).toEqual({ printed: ['span'], posted: [] });
  });

  it('none for one signal leaves it out of the console too', async () => {
    expect(await run({ OTEL_LOGS_EXPORTER: 'none' })).toEqual({ printed: ['metric', 'span'], posted: [] });
  });

  it('otlp named alone exports OTLP (to the default endpoint), the unset signals too, as otlp is their default', async () => {
    expect(await run({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({ printed: [], posted: ['/v1/logs', '/v1/metrics', '/v1/traces'] });
  });

  it('with OTLP configured, console takes its signal to the console instead', async () => {
    expect(await run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'Console' })).toEqual({ printed: ['span'], posted: ['/v1/logs', '/v1/metrics'] });
    expect(await run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'otlp,console' })).toEqual({ printed: ['span'], posted: ['/v1/logs', '/v1/metrics', '/v1/traces'] });
  });

  it('zipkin, prometheus, otlp/stdout and unknown values are warned, once per variable, and ignored', () => {
    const warnings: string[] = [];
    configFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin,jaeger', OTEL_METRICS_EXPORTER: 'prometheus', OTEL_LOGS_EXPORTER: 'otlp/stdout' }, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual(['OTEL_TRACES_EXPORTER: zipkin,jaeger not supported (only otlp,console,none); ignored', 'OTEL_METRICS_EXPORTER: prometheus not supported (only otlp,console,none); ignored', 'OTEL_LOGS_EXPORTER: otlp/stdout not supported (only otlp,console,none); ignored']);
  });
});
