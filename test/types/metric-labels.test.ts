/**
 * Label names type an instrument's calls: `labelNames` given as a literal list (inline, or a
 * constant `as const`) makes the instrument generic over those names, as prom-client 15's
 * `Counter<T extends string>` is, so a misspelt label is a compile error instead of a value
 * dropped at run time (`unknown_label`). Without `labelNames`, or with a `string[]`, any label
 * name is accepted, as before. Each source below is compiled as an app compiles it (strict, no
 * Node types); a `// @ts-expect-error` line that is not an error fails too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { appCompilerOptions, diagnosticText } from '../helpers/app-compiler.js';
import { describe, expect, it } from 'vitest';

const src = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../src/${f}`, import.meta.url)));

const prelude = `
  import { base2ExponentialBuckets, type Counter, type UpDownCounter, type Gauge, type Histogram, type ExponentialHistogram, type Summary, type EndTimer, type BoundCounter, type BoundHistogram, type LabelValues, type Monitor } from ${src('index.js')};
  declare const monitor: Monitor;
  const m = monitor.metrics;
`.replace(/\n\s*/g, ' ');

/** Each case's source, compiled together in one program (one compile for the file), as an app compiles it. */
const cases = new Map<string, string>();
let errors: Map<string, string[]> | undefined;

function compile(): Map<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-metric-labels-'));
  const files = new Map<string, string>();
  for (const [name, source] of cases) {
    const file = join(dir, `case${files.size}.ts`);
    // The prelude on one line: reported line numbers are those of the source.
    writeFileSync(file, prelude + source + '\nexport {};\n');
    files.set(file, name);
  }
  const program = ts.createProgram([...files.keys()], appCompilerOptions());
  const out = new Map<string, string[]>([...files.values()].map((n): [string, string[]] => [n, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const name = d.file && files.get(d.file.fileName);
    if (name !== undefined) out.get(name)!.push(diagnosticText(d));
  }
  return out;
}

/** The type errors of `source` (`// @ts-expect-error` lines that are not errors included). */
function typeErrors(source: string): () => string[] {
  const name = `case ${cases.size}`;
  cases.set(name, source);
  return () => (errors ??= compile()).get(name)!;
}

describe('typed label names, as an app compiles them', () => {
  const case1 = typeErrors(`
        const requests = m.createCounter('http_requests_total', 'Requests', { labelNames: ['route', 'code'] });
        const typed: Counter<'route' | 'code'> = requests;
        requests.increment(1, { route: '/users/:id', code: 200 });
        requests.increment({ route: '/' });
        requests.increment();
        requests.add(2, { code: 500 });
        // @ts-expect-error misspelt label
        requests.increment(1, { rout: '/' });
        // @ts-expect-error misspelt label, labels alone
        requests.increment({ cod: 200 });
        // @ts-expect-error misspelt label (add)
        requests.add(1, { cod: 200 });

        const CODES = ['code'] as const;
        const errors = m.createCounter('errors_total', 'Errors', { labelNames: CODES });
        errors.increment(1, { code: 'E1' });
        // @ts-expect-error misspelt label, names from a constant
        errors.increment(1, { cod: 'E1' });

        const depth = m.createUpDownCounter('queue_depth', 'Depth', { labelNames: ['queue'] });
        const typedDepth: UpDownCounter<'queue'> = depth;
        depth.add(1, { queue: 'a' });
        depth.increment(1, { queue: 'a' });
        depth.decrement(1, { queue: 'a' });
        // @ts-expect-error misspelt label (up-down counter add)
        depth.add(1, { queu: 'a' });
        // @ts-expect-error misspelt label (up-down counter decrement)
        depth.decrement(1, { queu: 'a' });

        const temp = m.createGauge('temperature', 'Temperature', { labelNames: ['room'] });
        const typedTemp: Gauge<'room'> = temp;
        temp.set(21.5, { room: 'kitchen' });
        temp.increment(1, { room: 'kitchen' });
        temp.decrement(1, { room: 'kitchen' });
        temp.setToCurrentTime({ room: 'kitchen' });
        // @ts-expect-error misspelt label (gauge set)
        temp.set(21.5, { rom: 'kitchen' });
        // @ts-expect-error misspelt label (gauge setToCurrentTime)
        temp.setToCurrentTime({ rom: 'kitchen' });

        const latency = m.createHistogram('latency', 'Latency', { unit: 's', labelNames: ['route'] });
        const typedLatency: Histogram<'route'> = latency;
        latency.observe(0.1, { route: '/' });
        // @ts-expect-error misspelt label (histogram)
        latency.observe(0.1, { rout: '/' });
        const sized = m.createHistogram('sized', 'Sized', { labelNames: ['route'], buckets: [0.1, 1] });
        // @ts-expect-error misspelt label (histogram with its own buckets)
        sized.observe(0.1, { rout: '/' });

        const exp = m.createHistogram('size', 'Size', { labelNames: ['route'], buckets: base2ExponentialBuckets() });
        const typedExp: ExponentialHistogram<'route'> = exp;
        exp.observe(512, { route: '/' });
        // @ts-expect-error misspelt label (exponential histogram)
        exp.observe(512, { rout: '/' });

        const quantiles = m.createSummary('work', 'Work', { labelNames: ['job'] });
        const typedSummary: Summary<'job'> = quantiles;
        quantiles.observe(3, { job: 'resize' });
        // @ts-expect-error misspelt label (summary)
        quantiles.observe(3, { jobs: 'resize' });

        // @ts-expect-error an instrument of other label names is another type
        const other: Counter<'method'> = requests;
        void [typed, typedDepth, typedTemp, typedLatency, typedExp, typedSummary, other];
      `);
  it('a misspelt label is refused and the declared ones accepted, by every instrument, with labelNames inline or `as const`', () => {
    expect(case1()).toEqual([]);
  }, 60_000);

  const case2 = typeErrors(`
        const c = m.createCounter('c_total', 'C', { labelNames: ['route', 'code', 'cached'] });
        c.increment(1, { route: '/', code: 200, cached: true });
        c.increment(1, { code: '200' });
        c.increment(1, { route: undefined });
        c.increment(1, {});
        // @ts-expect-error null is no label value
        c.increment(1, { code: null });
        // @ts-expect-error an object is no label value
        c.increment(1, { code: { n: 200 } });
        const values: LabelValues<'route' | 'code'> = { route: '/', code: 404 };
        c.increment(1, values);
        // @ts-expect-error a labels object of other names (not a literal) has nothing in common with the declared ones
        c.increment(1, { rout: '/' } as { rout: string });
      `);
  it('values are strings, numbers or booleans, as the runtime accepts; a declared label may be left out', () => {
    expect(case2()).toEqual([]);
  }, 60_000);

  const case3 = typeErrors(`
        const c = m.createCounter('c_total', 'C', { labelNames: ['code'] });
        c.increment({ code: 'declined' }, 0);
        c.add({ code: 'declined' }, 0);
        // @ts-expect-error misspelt label, prom-client's order (add)
        c.add({ cod: 'declined' }, 0);
        // @ts-expect-error misspelt label, prom-client's order
        c.increment({ cod: 'declined' }, 0);
        const g = m.createGauge('g', 'G', { labelNames: ['queue'] });
        g.increment({ queue: 'a' }, 8);
        g.decrement({ queue: 'a' }, 2);
        // @ts-expect-error misspelt label, prom-client's order (gauge)
        g.increment({ queu: 'a' }, 8);
        const u = m.createUpDownCounter('u', 'U', { labelNames: ['queue'] });
        u.add({ queue: 'a' }, 5);
        u.increment({ queue: 'a' }, 5);
        u.decrement({ queue: 'a' }, 2);
        // @ts-expect-error misspelt label, prom-client's order (up-down counter)
        u.decrement({ queu: 'a' }, 2);
      `);
  it("prom-client's order, (labels, value), is typed as the runtime takes it, with the same label check", () => {
    expect(case3()).toEqual([]);
  }, 60_000);

  const case4 = typeErrors(`
        const any = m.createCounter('any_total', 'Any');
        const plain: Counter = any;
        const same: Counter<string> = any;
        any.increment(1, { whatever: 'x', n: 1, b: false });
        any.increment({ whatever: 'x' });
        m.createHistogram('h', 'H').observe(1, { anything: 'x' });
        m.createHistogram('h2', 'H', { buckets: [1, 2] }).startTimer({ a: 1 })({ b: 2 });
        m.createSummary('s', 'S').observe(1, { anything: 'x' });
        m.createGauge('g', 'G', { collect(g) { g.set(1, { anything: 'x' }); } }).set(1, { other: 'y' });
        m.createUpDownCounter('u', 'U').add(1, { anything: 'x' });

        const names: string[] = ['route'];
        const fromVariable = m.createCounter('var_total', 'Var', { labelNames: names });
        fromVariable.increment(1, { route: '/', anything: 'x' });
        const readonlyNames: readonly string[] = ['route'];
        m.createHistogram('ro', 'RO', { labelNames: readonlyNames }).observe(1, { anything: 'x' });

        // An instrument with typed labels is still a Counter, as existing signatures take it.
        const countRequests = (c: Counter) => c.increment(1, { route: '/' });
        countRequests(m.createCounter('typed_total', 'T', { labelNames: ['route'] }));
        const observe = (h: Histogram, v: number) => h.observe(v);
        observe(m.createHistogram('typed_h', 'T', { labelNames: ['route'] }), 1);
        // getMetric() gives the instrument without its label names.
        const found = m.getMetric('typed_total');
        if (found?.type === 'counter') found.increment(1, { anything: 'x' });
        // An existing call with a value that may be labels still compiles.
        const v = 1 as number | Record<string, string>;
        any.increment(v);
        void [plain, same];
      `);
  it('without labelNames, or with a string[] of them, any label name is accepted as before', () => {
    expect(case4()).toEqual([]);
  }, 60_000);

  const case5 = typeErrors(`
        const c = m.createCounter('c_total', 'C', { labelNames: ['route'] });
        const bc: BoundCounter = c.bind({ route: '/' });
        bc.increment();
        // @ts-expect-error misspelt label (bind)
        c.bind({ rout: '/' });
        c.remove({ route: '/' });
        c.remove();
        // @ts-expect-error misspelt label (remove)
        c.remove({ rout: '/' });

        const h = m.createHistogram('h', 'H', { labelNames: ['route', 'code'] });
        const bh: BoundHistogram = h.bind({ route: '/' });
        bh.observe(1);
        const bound = bh.startTimer();
        const seconds: number = bound();
        // @ts-expect-error a bound timer takes no labels (its series is bound)
        bound({ code: 200 });
        // @ts-expect-error misspelt label (histogram bind)
        h.bind({ rout: '/' });
        const end: EndTimer<'route' | 'code'> = h.startTimer({ route: '/' });
        end({ code: 200 });
        end();
        // @ts-expect-error misspelt label (startTimer)
        h.startTimer({ rout: '/' });
        // @ts-expect-error misspelt label (the timer's end labels)
        end({ cod: 200 });
        const loose: EndTimer = end;
        // @ts-expect-error misspelt label (histogram remove)
        h.remove({ rout: '/' });

        const e = m.createHistogram('e', 'E', { labelNames: ['route'], buckets: base2ExponentialBuckets() });
        e.bind({ route: '/' }).observe(1);
        // @ts-expect-error misspelt label (exponential histogram bind)
        e.bind({ rout: '/' });
        // @ts-expect-error misspelt label (exponential histogram timer end)
        e.startTimer()({ rout: '/' });

        const s = m.createSummary('s', 'S', { labelNames: ['job'] });
        s.startTimer({ job: 'a' })();
        // @ts-expect-error misspelt label (summary timer end)
        s.startTimer()({ jb: 'a' });
        // @ts-expect-error misspelt label (summary remove)
        s.remove({ jb: 'a' });

        const g = m.createGauge('g', 'G', { labelNames: ['queue'], collect(gauge) {
          gauge.set(1, { queue: 'a' });
          // @ts-expect-error misspelt label (the gauge given to collect)
          gauge.set(1, { queu: 'a' });
          // @ts-expect-error misspelt label (the gauge as this)
          this.set(1, { queu: 'a' });
        } });
        // @ts-expect-error misspelt label (gauge remove)
        g.remove({ queu: 'a' });
        void [seconds, loose];
      `);
  it('bound instruments, timers and remove() take the declared names', () => {
    expect(case5()).toEqual([]);
  }, 60_000);

  const case6 = typeErrors(`
        import { metered } from ${src('wrappers/metered.js')};
        import { BridgeMeterProvider } from ${src('otel/index.js')};
        const charge = metered('charge', async (cents: number) => cents, { monitor, labels: { provider: 'stripe', retry: false } });
        const cents: Promise<number> = charge(100);
        const meter = new BridgeMeterProvider(monitor).getMeter('lib');
        meter.createCounter('lib.calls').add(1, { 'lib.op': 'read' });
        meter.createHistogram('lib.duration', { unit: 's' }).record(0.2, { 'lib.op': 'read' });
        void cents;
      `);
  it('the metered wrapper and the OpenTelemetry bridge still compile over the typed instruments', () => {
    expect(case6()).toEqual([]);
  }, 60_000);
});
