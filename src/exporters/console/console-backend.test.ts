import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMonitor } from '../../monitor.js';
import { base2ExponentialBuckets } from '../../metrics/exponential-histogram.js';
import { ConsoleBackend } from './console-backend.js';

const quiet = { onDiagnostic: () => undefined };

describe('ConsoleBackend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('by default prints one export with one console.log call, a line per span, log and metric', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const monitor = createMonitor({ ...quiet, serviceName: 'api', backends: [new ConsoleBackend()] });
    const scope = monitor.openScope();
    monitor.tracer.startActiveSpan('parent', { scope }, () => {
      monitor.tracer.startSpan('child').end();
      monitor.logger.info('hello', { n: 1 });
    });
    monitor.metrics.createCounter('jobs_total', 'Jobs').increment();
    await scope.close();
    expect(log).toHaveBeenCalledTimes(1);
    const lines = String(log.mock.calls[0]![0]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\[span\] child internal /);
    expect(lines[1]).toMatch(/^\[span\] parent internal /);
    expect(lines[2]).toMatch(/^\[log\] INFO hello \{n=1\} trace=/);
    expect(lines[3]).toBe('[metric] jobs_total counter = 1');
  });

  it("prints a span's events on lines of their own under it, an exception without its stack trace", async () => {
    const lines: string[] = [];
    const monitor = createMonitor({ ...quiet, serviceName: 'api', backends: [new ConsoleBackend({ write: (l) => lines.push(l), metrics: false })] });
    const span = monitor.tracer.startSpan('run');
    span.addEvent('step.sleep', { 'cloudflare.workflow.step.name': 'nap' });
    span.recordException(new TypeError('step broke'));
    span.end();
    await monitor.flush();
    const id = span.spanContext().spanId;
    expect(lines[0]).toMatch(/^\[span\] run internal /);
    expect(lines[1]).toBe(`[event] step.sleep span=${id} {cloudflare.workflow.step.name="nap"}`);
    expect(lines[2]).toBe(`[event] exception span=${id} {exception.type="TypeError" exception.message="step broke"}`);
    expect(lines).toHaveLength(3);
  });

  it('prints nothing for an export with nothing in it', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const result = await new ConsoleBackend().export({ resource: { attributes: {} }, scope: { name: 's' }, spans: [], logs: [] });
    expect(result).toEqual({ ok: true });
    expect(log).not.toHaveBeenCalled();
  });

  it('calls a given write once per line', async () => {
    const lines: string[] = [];
    const monitor = createMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l), metrics: false })] });
    const scope = monitor.openScope();
    monitor.tracer.startSpan('a', { scope }).end();
    monitor.tracer.startSpan('b', { scope }).end();
    await scope.close();
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith('[span] ') && !l.includes('\n'))).toBe(true);
  });

  it('wrong options throw when the backend is made, naming the option (DESIGN 5)', () => {
    expect(() => new ConsoleBackend({ write: 'stdout' as never })).toThrow(/`write` must be a function/);
    for (const maxSeries of [-1, 1.5, Number.NaN, 'all']) expect(() => new ConsoleBackend({ maxSeries: maxSeries as number })).toThrow(/`maxSeries` must be an integer/);
    for (const maxSeries of [0, 3, Infinity]) expect(() => new ConsoleBackend({ maxSeries })).not.toThrow();
  });

  it('maxSeries: 0 prints only how many series there were; Infinity prints them all', async () => {
    for (const [maxSeries, expected] of [
      [0, ['[metric] c_total …and 2 more series']],
      [Infinity, ['[metric] c_total {a="x"} counter = 1', '[metric] c_total {a="y"} counter = 1']],
    ] as const) {
      const lines: string[] = [];
      const monitor = createMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l), maxSeries })] });
      const c = monitor.metrics.createCounter('c_total', 'c', { labelNames: ['a'] });
      c.increment(1, { a: 'x' });
      c.increment(1, { a: 'y' });
      await monitor.flush();
      expect(lines).toEqual(expected);
    }
  });

  it('names summary quantiles as percentiles without floating-point noise', async () => {
    const lines: string[] = [];
    const monitor = createMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l) })] });
    monitor.metrics.createSummary('wait_seconds', 'Wait', { quantiles: [0.07, 0.29, 0.5, 0.57, 0.999] }).observe(0.25);
    await monitor.flush();
    expect(lines).toContain('[metric] wait_seconds summary count=1 p7=0.25 p29=0.25 p50=0.25 p57=0.25 p99.9=0.25');
  });

  it('prints an exponential histogram as a histogram line (count, sum, mean)', async () => {
    const lines: string[] = [];
    const monitor = createMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l) })] });
    const h = monitor.metrics.createHistogram('latency', 'Latency', { unit: 's', buckets: base2ExponentialBuckets() });
    for (const v of [0.1, 0.2, 0.3]) h.observe(v);
    await monitor.flush();
    expect(lines).toContain('[metric] latency histogram count=3 sum=0.6 mean=0.2 s');
  });
  it("a Logs API record's own severityText cannot forge a line; one without a text shows its severity number's range; an event shows its name", async () => {
    const lines: string[] = [];
    const backend = new ConsoleBackend({ write: (l) => lines.push(l), metrics: false });
    const base = { time: 1_700_000_000_000, body: 'b', attributes: {}, droppedAttributesCount: 0 };
    await backend.export({
      resource: { attributes: {} },
      scope: { name: 's' },
      spans: [],
      logs: [
        { ...base, severityNumber: 9, severityText: 'INFO\n[log] ERROR forged' },
        { ...base, severityNumber: 14, severityText: '' },
        { ...base, severityNumber: 0, severityText: '', body: '', eventName: 'browser.page_view\r\nx', attributes: { 'page.url': '/a' } },
      ],
    });
    expect(lines).toEqual(['[log] INFO\\n[log] ERROR forged b', '[log] WARN b', '[log]  event=browser.page_view\\r\\nx  {page.url="/a"}']);
    expect(lines.every((l) => !/[\n\r]/.test(l))).toBe(true);
  });

  it('prints NaN and ±Infinity inside lists and maps as they are held (and sent over OTLP), not as JSON null', async () => {
    const lines: string[] = [];
    const monitor = createMonitor({ ...quiet, backends: [new ConsoleBackend({ write: (l) => lines.push(l), metrics: false })] });
    monitor.tracer.startSpan('s', { attributes: { ratios: [1.5, Number.NaN, Infinity], tags: ['a', null] } }).end();
    monitor.logger.info('m', { obj: { lo: -Infinity, n: Number.NaN, none: null, when: new Date(0) }, list: [[Infinity]] } as never);
    await monitor.flush();
    expect(lines[0]).toMatch(/ \{ratios=\[1\.5,NaN,Infinity\] tags=\["a",null\]\}$/);
    expect(lines[1]).toBe('[log] INFO m {obj={"lo":-Infinity,"n":NaN,"none":null,"when":"1970-01-01T00:00:00.000Z"} list=[[Infinity]]}');
  });

  it('never throws on a value JSON cannot write (a cycle, a BigInt given straight to the backend)', async () => {
    const lines: string[] = [];
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const base = { time: 1_700_000_000_000, severityNumber: 9, severityText: 'INFO', droppedAttributesCount: 0 };
    const result = await new ConsoleBackend({ write: (l) => lines.push(l) }).export({
      resource: { attributes: {} },
      scope: { name: 's' },
      spans: [],
      logs: [{ ...base, body: 'b', attributes: { c: cyclic as never, big: 10n as never, u8: new Uint8Array([1, 255]) } }],
    });
    expect(result).toEqual({ ok: true });
    expect(lines).toEqual(['[log] INFO b {c="[Unserializable]" big="[Unserializable]" u8="0x01ff"}']);
  });
});

