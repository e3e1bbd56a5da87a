import { describe, expect, it } from 'vitest';
import type { Alert } from '../alerting/notifier.js';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import { BucketRing } from './bucket-ring.js';
import { promDuration } from './prometheus-rules.js';
import { SLO } from './slo.js';
import { SLOMonitor, type SLOStatus } from './slo-monitor.js';

const DAY = 86400;
const BUCKET_MS = 300_000;
// A bucket boundary, plus a minute so every reading is inside a bucket.
const T0 = BUCKET_MS * 5_666_667 + 60_000;

describe('SLO', () => {
  it('accepts the target as a percentage or a ratio and refuses nonsense', () => {
    expect(new SLO({ name: 'a', target: 99.9, windowSeconds: 3600 }).target).toBe(0.999);
    expect(new SLO({ name: 'a', target: 0.999, windowSeconds: 3600 }).target).toBe(0.999);
    expect(new SLO({ name: 'a', target: 99.9, windowSeconds: 3600 }).errorBudget).toBe(0.001);
    for (const target of [0, 1, 100, 150, -1, NaN, Infinity, 99.99999999999999]) {
      expect(() => new SLO({ name: 'a', target, windowSeconds: 3600 })).toThrow(/target/);
    }
    expect(() => new SLO({ name: 'a b', target: 99, windowSeconds: 60 })).toThrow(/name/);
    expect(() => new SLO({ name: 'a', target: 99, windowSeconds: 0 })).toThrow(/windowSeconds/);
    expect(() => new SLO({ name: 'a', target: 99, windowSeconds: 60, kind: 'latency' })).toThrow(/thresholdMs/);
    // A misspelled option left its default in force unnoticed: thresholdMS made an availability SLO.
    expect(() => new SLO({ name: 'a', target: 99, windowSeconds: 60, thresholdMS: 200 } as never)).toThrow(
      /^SLO "a": unknown option `thresholdMS`; known options are name, target, windowSeconds, kind, thresholdMs, bucketSeconds, minEvents\.$/,
    );
    // An SLO spread into new options carries its derived fields (windows, thresholdSeconds): accepted, as before the check.
    const base = new SLO({ name: 'lat', target: 99, windowSeconds: 3600, thresholdMs: 250 });
    const copy = new SLO({ ...base, name: 'lat_eu' });
    expect([copy.name, copy.target, copy.kind, copy.thresholdMs, copy.isGood(0.25), copy.isGood(0.26)]).toEqual(['lat_eu', 0.99, 'latency', 250, true, false]);
    expect(new SLO({ ...base, name: 'lat_day', windowSeconds: 86400 }).windows).toEqual(new SLO({ name: 'x', target: 99, windowSeconds: 86400, thresholdMs: 250 }).windows);
    expect(() => new SLO({ ...base, name: 'c', tresholdMs: 1 } as never)).toThrow(/unknown option `tresholdMs`/);
    expect(() => new SLOMonitor({ slos: [], monitr: {} } as never)).toThrow(/^new SLOMonitor: unknown option `monitr`; known options are slos, monitor, notifier, clock, minWindowSeconds\.$/);
  });

  it('values that would be ignored or never let an alert fire throw, saying what to change', () => {
    // thresholdMs beside kind: 'availability' was ignored: the SLO counted outcomes only.
    expect(() => new SLO({ name: 'a', target: 99, windowSeconds: 60, kind: 'availability', thresholdMs: 200 })).toThrow(/^SLO "a": thresholdMs is for latency SLOs; remove it, or remove kind: 'availability'$/);
    // minEvents: Infinity held every alert forever.
    expect(() => new SLO({ name: 'a', target: 99, windowSeconds: 60, minEvents: Infinity })).toThrow(/^SLO "a": minEvents must be a finite number ≥ 0, got Infinity$/);
    // A monitor that is not one (a config object) left the SLO series unexported, unseen.
    expect(() => new SLOMonitor({ slos: [], monitor: { serviceName: 'api' } as never })).toThrow(/^new SLOMonitor\(\{ monitor \}\): monitor must be a monitor of createMonitor\(\)/);
    const availability = new SLO({ name: 'up', target: 99, windowSeconds: 60, minEvents: 10 });
    expect(new SLO({ ...availability, name: 'up_eu' }).kind).toBe('availability');
    expect(new SLOMonitor({ slos: [availability], monitor: createTestMonitor().monitor }).slos).toHaveLength(1);
  });

  it('SLO-05: the 30-day table, scaled in proportion to the window', () => {
    const month = new SLO({ name: 'm', target: 99.9, windowSeconds: 30 * DAY });
    expect(month.windows.map((w) => [w.severity, w.longWindowSeconds, w.shortWindowSeconds, w.burnRate])).toEqual([
      ['page', 3600, 300, 14.4],
      ['page', 6 * 3600, 1800, 6],
      ['ticket', 3 * DAY, 6 * 3600, 1],
    ]);
    // SLO-03: budget consumed when each fires = burn rate × long window ÷ period.
    expect(month.windows.map((w) => +w.budgetConsumed.toFixed(6))).toEqual([0.02, 0.05, 0.1]);
    const hour = new SLO({ name: 'h', target: 99, windowSeconds: 3600 });
    expect(hour.windows.map((w) => [w.longWindowSeconds, w.shortWindowSeconds])).toEqual([
      [5, 5 / 12],
      [30, 2.5],
      [360, 30],
    ]);
    expect(hour.bucketSeconds).toBe(1);
    expect(month.bucketSeconds).toBe(300);
  });

  it('a window under 1 s works without bucketSeconds: the default bucket never exceeds the window', () => {
    const burst = new SLO({ name: 'burst', target: 99, windowSeconds: 0.5 });
    expect(burst.bucketSeconds).toBe(0.5);
    let t = 1_000_000;
    const slos = new SLOMonitor({ slos: [burst], clock: () => t });
    slos.recordObservation(true);
    slos.recordObservation(false);
    expect([slos.status().good, slos.status().total]).toEqual([1, 2]);
    // The bucket's events count as spread over its 500 ms: 600 ms on, 400 ms of it are in the window.
    t += 600;
    expect(slos.status().total).toBeCloseTo(1.6, 9);
    t += 500;
    expect(slos.status().total).toBe(0);
    expect(() => new SLO({ name: 'burst', target: 99, windowSeconds: 0.5, bucketSeconds: 1 })).toThrow(/bucketSeconds/);
  });

  it('kind follows thresholdMs; latencies in seconds are compared with it', () => {
    const lat = new SLO({ name: 'l', target: 99, windowSeconds: 60, thresholdMs: 250 });
    expect(lat.kind).toBe('latency');
    expect([lat.isGood(0.25), lat.isGood(0.2501), lat.isGood(true), lat.isGood(false), lat.isGood(NaN)]).toEqual([true, false, true, false, undefined]);
    // A latency exactly at the threshold is good, whatever the float rounding of ms × 1000.
    for (const ms of [2007, 2011, 4013, 8191, 570, 1]) {
      expect([ms, new SLO({ name: 'l', target: 99, windowSeconds: 60, thresholdMs: ms }).isGood(ms / 1000)]).toEqual([ms, true]);
    }
    const av = new SLO({ name: 'a', target: 99, windowSeconds: 60 });
    expect(av.kind).toBe('availability');
    expect([av.isGood(12), av.isGood(false)]).toEqual([true, false]);
  });
});

describe('SLOMonitor burn rates against hand-computed values (30 days, 99.9 %, 5-minute buckets)', () => {
  function feed(m: SLOMonitor, total: number, bad: number): void {
    for (let i = 0; i < total; i++) m.recordObservation('checkout', i >= bad);
  }

  it('SLO-02: compliance, budget and the three window pairs; each burn rate is the error ratio ÷ (1 − SLO)', () => {
    let t = T0;
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], clock: () => t });
    // 11 buckets with 1000 events and 10 errors each, then the current bucket with 1000 and 20.
    for (let b = 0; b < 11; b++) {
      t = T0 + b * BUCKET_MS;
      feed(slos, 1000, 10);
    }
    t = T0 + 11 * BUCKET_MS;
    feed(slos, 1000, 20);
    const s = slos.status('checkout');
    expect(s.total).toBe(12_000);
    expect(s.good).toBe(12_000 - 130);
    expect(s.compliance).toBeCloseTo(1 - 130 / 12_000, 12);
    expect(s.compliant).toBe(false);
    // error ratio 0.0108333 over a budget of 0.001: 9.8333 budgets overspent
    expect(s.errorBudgetRemaining).toBeCloseTo(1 - 130 / 12_000 / 0.001, 9);
    const [fast, slow, ticket] = s.burnRates;
    // 1 h = 12 buckets: 130/12000 ÷ 0.001 = 10.8333. 5 m, a minute into the current bucket: that
    // minute (1000 events, 20 errors) and the last 4 of the previous bucket's 5 minutes, 4/5 of
    // its 1000 events and 10 errors: (20 + 8)/(1000 + 800) ÷ 0.001 = 15.5556
    expect(fast.longBurnRate).toBeCloseTo(10.833333333, 6);
    expect(fast.shortBurnRate).toBeCloseTo(28 / 1800 / 0.001, 9);
    expect(fast.firing).toBe(false); // 10.83 < 14.4
    // 6 h holds the same 12 buckets; 30 m = the current minute, 5 whole buckets and 4/5 of one:
    // (20 + 5×10 + 8)/(1000 + 5000 + 800) ÷ 0.001 = 11.4706
    expect(slow.longBurnRate).toBeCloseTo(10.833333333, 6);
    expect(slow.shortBurnRate).toBeCloseTo(78 / 6800 / 0.001, 9);
    expect(slow.firing).toBe(true); // both > 6
    expect(ticket.longBurnRate).toBeCloseTo(10.833333333, 6);
    expect(ticket.shortBurnRate).toBeCloseTo(10.833333333, 6);
    expect(ticket.firing).toBe(true);
    expect(s.alerts).toEqual(['page', 'ticket']);

    // Two hours later with no traffic: the 1 h and 30 m windows are empty, 6 h and 3 d still burn.
    t += 2 * 3600_000;
    const later = slos.status('checkout');
    expect(later.burnRates.map((b) => [b.longBurnRate, b.shortBurnRate].map((x) => +x.toFixed(4)))).toEqual([
      [0, 0],
      [10.8333, 0],
      [10.8333, 10.8333],
    ]);
    expect(later.alerts).toEqual(['ticket']);
    // After the whole window everything has aged out.
    t += 30 * DAY * 1000;
    const gone = slos.status();
    expect([gone.total, gone.compliance, gone.errorBudgetRemaining, gone.alerts]).toEqual([0, 1, 1, []]);
  });

  it('SLO-01/SLO-04: 99.9 and 0.999 are the same objective; meeting it exactly is compliant, and a burn rate exactly at the threshold does not fire (as the rules)', () => {
    const results = [99.9, 0.999, 99.95, 0.9995].map((target) => {
      const t = T0;
      const slos = new SLOMonitor({ slos: [{ name: 'checkout', target, windowSeconds: 30 * DAY }], clock: () => t });
      const budget = target > 1 ? (100 - target) / 100 : 1 - target;
      // Errors exactly at the budget.
      feed(slos, 10_000, Math.round(10_000 * budget));
      const exact = slos.status('checkout');
      const rules = slos.toPrometheusRules();
      return { target: exact.target, budget: exact.errorBudget, compliant: exact.compliant, remaining: exact.errorBudgetRemaining, rules };
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[2]).toEqual(results[3]);
    expect(results[0]).toMatchObject({ target: 0.999, budget: 0.001, compliant: true, remaining: 0 });
    expect(results[2]).toMatchObject({ target: 0.9995, budget: 0.0005, compliant: true, remaining: 0 });
    expect(results[0].rules).toContain('> (6 * 0.001)');

    const t = T0;
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], clock: () => t });
    feed(slos, 10_000, 60); // error ratio 0.006 = 6 × 0.001: the rule's `> (6 * 0.001)` is false
    const slow = slos.status('checkout').burnRates[1];
    expect([slow.longBurnRate, slow.shortBurnRate, slow.firing]).toEqual([6, 6, false]);
    feed(slos, 1, 1);
    expect(slos.status('checkout').burnRates[1].firing).toBe(true);
  });

  it("the original's one-SLO form: recordObservation(0.125) with a latency SLO", () => {
    let t = 1_000_000;
    const slos = new SLOMonitor({ slos: [new SLO({ name: 'api_latency', target: 99.0, windowSeconds: 3600, thresholdMs: 250 })], clock: () => t });
    slos.recordObservation(0.125);
    slos.recordObservation(0.5);
    t += 500;
    slos.recordObservation('api_latency', 0.1);
    slos.recordObservation('api_latency', false);
    slos.recordObservation('nope', 1); // unknown: ignored
    const s = slos.status();
    expect([s.good, s.total]).toEqual([2, 4]);
    expect(s.errorBudgetRemaining).toBeCloseTo(1 - 0.5 / 0.01, 9);
    // The 5 s long and 0.42 s short windows read 60 s (minWindowSeconds): both hold all four
    expect(s.burnRates[0].longBurnRate).toBeCloseTo(50, 9);
    expect(s.burnRates[0].shortBurnRate).toBeCloseTo(50, 9);
    expect(() => slos.status('missing')).toThrow(/no SLO named/);
  });

  it('emits the SLI counters through the monitor', () => {
    const { monitor } = createTestMonitor();
    const slos = new SLOMonitor({ slos: [{ name: 'a', target: 99, windowSeconds: 60 }, { name: 'b', target: 99, windowSeconds: 60, thresholdMs: 100 }], monitor });
    slos.recordObservation('a', true);
    slos.recordObservation('a', false);
    slos.recordObservation('b', 0.05);
    const metrics = monitor.metrics.collect().metrics;
    const points = (n: string) => (metrics.find((m) => m.name === n) as CounterMetric).points.map((p) => [p.attributes.slo, p.value]);
    expect(points('slo_events_total')).toEqual([['a', 2], ['b', 1]]);
    expect(points('slo_good_events_total')).toEqual([['a', 1], ['b', 1]]);
  });

  it('memory is bounded by buckets whatever the traffic', () => {
    const ring = new BucketRing(3600, 1000);
    // window ÷ bucket, and one for the bucket the window starts in
    expect((ring as unknown as { n: number }).n).toBe(3601);
    for (let i = 0; i < 200_000; i++) ring.add(i * 37, i % 3 !== 0);
    expect((ring as unknown as { good: Float64Array }).good.length).toBe(3601);
    const last = 199_999 * 37;
    const { total } = ring.sum(last, 3600);
    // events every 37 ms over the last 3600 s: 3600 ÷ 0.037 = 97297
    expect(total).toBeGreaterThan(97_200);
    expect(total).toBeLessThanOrEqual(97_300);
  });

  it('a clock stepped back a whole window does not wipe the counts already held', () => {
    let t = 1_000_000_000_000;
    const slos = new SLOMonitor({ slos: [{ name: 'api', target: 0.99, windowSeconds: 60 }], clock: () => t });
    for (let i = 0; i < 100; i++) slos.recordObservation(true);
    t -= 60_000; // an NTP step back by the window
    slos.recordObservation(false);
    t += 60_000;
    const s = slos.status();
    expect([s.good, s.total]).toEqual([100, 101]);

    const ring = new BucketRing(10, 1000); // 11 slots
    ring.add(50_500, true);
    ring.add(39_500, false); // same slot, eleven buckets earlier
    ring.add(45_500, true); // a stale slot within reach: counted where it belongs
    expect([ring.sum(50_500, 10), ring.sum(45_500, 1)]).toEqual([
      { good: 2, total: 3 },
      { good: 1, total: 1 },
    ]);
  });

  it('notifies when burn-rate alerts start and stop firing, once per change', () => {
    let t = T0;
    const alerts: Alert[] = [];
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], clock: () => t, notifier: { notify: (a) => alerts.push(a) } });
    for (let i = 0; i < 100; i++) {
      t += 10;
      slos.recordObservation('checkout', i % 2 === 0);
    }
    t += 1000;
    slos.status('checkout');
    slos.status('checkout');
    expect(alerts.map((a) => [a.key, a.state, a.severity])).toEqual([
      ['slo:checkout:page', 'firing', 'critical'],
      ['slo:checkout:ticket', 'firing', 'warning'],
    ]);
    t += 31 * DAY * 1000;
    slos.status('checkout');
    expect(alerts.slice(2).map((a) => [a.key, a.state])).toEqual([
      ['slo:checkout:page', 'resolved'],
      ['slo:checkout:ticket', 'resolved'],
    ]);
  });
});

describe('burn-rate windows slide (SLO-05): a 5 m window is the last 5 minutes at every moment', () => {
  // A 30-day SLO at 99.9 %: 5-minute buckets, so the page pair's 5 m window is one bucket wide.
  const START = Date.UTC(2025, 0, 1); // on a bucket boundary

  it('a steady 2 % error rate (burn 20) pages once and stays firing across bucket boundaries', () => {
    let t = START;
    const alerts: Alert[] = [];
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], clock: () => t, notifier: { notify: (a) => alerts.push(a) } });
    // 6 h clean, one event a second: every page window is full of traffic, so while errors come in
    // each ratio only climbs (a filling window's ratio would saw across a threshold per error).
    for (let k = 0; k < 6 * 3600; k++, t += 1000) slos.recordObservation(true);
    const incident = t;
    const afterBoundary: number[] = [];
    for (let n = 0; t < incident + 2 * 3600_000; t += 1000, n++) {
      slos.recordObservation(n % 50 !== 25); // one error every 50 s
      if (t - incident > 3600_000 && t % BUCKET_MS === 1000) {
        const s = slos.status();
        afterBoundary.push(s.burnRates[0].shortBurnRate);
        expect(s.alerts).toContain('page');
      }
    }
    // The 1 h window reaches 14.4 after 43 minutes; the page fires then and never resolves.
    expect(alerts.filter((a) => a.severity === 'critical').map((a) => a.state)).toEqual(['firing']);
    expect(afterBoundary).toHaveLength(12);
    for (const burn of afterBoundary) expect(burn).toBeGreaterThan(18);
    for (const burn of afterBoundary) expect(burn).toBeLessThan(22);
    const final = slos.status().burnRates[0];
    expect([final.longBurnRate, final.shortBurnRate, final.firing]).toEqual([expect.closeTo(20, 1), expect.closeTo(20, 1), true]);
  });

  it('a second after a bucket boundary the 5 m window still holds the previous 5 minutes; mid-bucket it holds half of the previous bucket', () => {
    let t = START;
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], clock: () => t });
    // 2 h, an event every 10 s, every other one an error: 50 % errors, burn 500.
    const end = t + 2 * 3600_000;
    for (let i = 0; t < end; t += 10_000) slos.recordObservation(i++ % 2 === 0);
    t += 1000; // a second into a new, empty bucket
    const page = slos.status().burnRates[0];
    // 299 s of the previous bucket's 30 events (15 errors) and nothing since: still burn 500
    expect([page.longBurnRate, page.shortBurnRate, page.firing]).toEqual([expect.closeTo(500, 9), expect.closeTo(500, 9), true]);
    t += 149_000; // mid-bucket, one more error
    slos.recordObservation(false);
    // half of the previous bucket (7.5 errors in 15 events) and the one error: 8.5/16 ÷ 0.001
    expect(slos.status().burnRates[0].shortBurnRate).toBeCloseTo(531.25, 6);

    // The same on the ring: the oldest bucket counts for the share of it still inside the window.
    const ring = new BucketRing(3600, BUCKET_MS);
    for (let s = 0; s < 300; s++) ring.add(START + s * 1000, s % 50 !== 25); // 300 events, 6 errors
    ring.add(START + BUCKET_MS + 500, false);
    const w = ring.sum(START + BUCKET_MS + 1000, 300);
    expect(w.total).toBeCloseTo(1 + 299, 9);
    expect(w.total - w.good).toBeCloseTo(1 + (6 * 299) / 300, 9);
  });

  it('windows with no traffic give burn rate 0, not NaN', () => {
    let t = START + 60_000;
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], clock: () => t });
    const finite = (s: SLOStatus) => [s.compliance, s.errorBudgetRemaining, ...s.burnRates.flatMap((b) => [b.longBurnRate, b.shortBurnRate])].every(Number.isFinite);
    const empty = slos.status();
    expect(finite(empty)).toBe(true);
    expect(empty.burnRates.map((b) => [b.longBurnRate, b.shortBurnRate])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect([empty.compliance, empty.errorBudgetRemaining, empty.alerts]).toEqual([1, 1, []]);
    slos.recordObservation(false);
    t += 2 * BUCKET_MS + 1000; // past the 5 m window and the bucket it was recorded in
    const later = slos.status();
    expect(finite(later)).toBe(true);
    expect(later.burnRates.map((b) => [b.longBurnRate, b.shortBurnRate])).toEqual([[1000, 0], [1000, 1000], [1000, 1000]]);
    expect(later.alerts).toEqual(['page', 'ticket']); // the 6 h / 30 m pair
    t += 7 * 3600_000;
    expect(slos.status().burnRates.map((b) => [b.longBurnRate, b.shortBurnRate])).toEqual([[0, 0], [0, 0], [1000, 0]]);
    expect(new BucketRing(60, 1000).sum(START, 60)).toEqual({ good: 0, total: 0 });
  });
});

describe('never breaking the host, never silent (DESIGN §5)', () => {
  const dropped = (monitor: ReturnType<typeof createTestMonitor>['monitor'], reason: string) =>
    (monitor.metrics.collect().metrics.find((m) => m.name === 'lexigram_monitor_dropped_total') as CounterMetric | undefined)?.points.find((p) => p.attributes.reason === reason)?.value ?? 0;

  it('an unknown name, a missing name with several SLOs and an unusable value are dropped, counted and reported once each', () => {
    const diagnostics: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(`${d.kind}: ${d.message}`) });
    const slos = new SLOMonitor({ slos: [{ name: 'a', target: 99, windowSeconds: 60 }, { name: 'b', target: 99, windowSeconds: 60, thresholdMs: 100 }], monitor });
    slos.recordObservation('nope', true);
    slos.recordObservation('nope', true);
    slos.recordObservation(true); // two SLOs: which one?
    slos.recordObservation('b', NaN);
    slos.recordObservation('b', -1);
    slos.recordObservation('a', 'yes' as unknown as boolean);
    slos.recordObservation('a' as unknown as number);
    expect(() => slos.recordObservation('a', { toString: () => { throw new Error('x'); } } as unknown as boolean)).not.toThrow();
    expect(dropped(monitor, 'invalid_value')).toBe(8);
    expect(diagnostics).toEqual([
      expect.stringMatching(/^invalid_value: SLOMonitor.recordObservation: no SLO named "nope" \(known: a, b\)/),
      expect.stringMatching(/without a name needs exactly one SLO, and there are 2/),
      expect.stringMatching(/recordObservation\("b", …\) got NaN/),
    ]);
    expect([slos.status('a').total, slos.status('b').total]).toEqual([0, 0]);
  });

  it('a notifier without notify() or a clock that is not a function throws at construction', () => {
    const slos = [{ name: 'a', target: 99, windowSeconds: 60 }];
    for (const notifier of [{}, 'https://hooks.example.com/x', null]) {
      expect(() => new SLOMonitor({ slos, notifier: notifier as never })).toThrow(/notifier must be an object with a notify\(alert\) method/);
    }
    expect(() => new SLOMonitor({ slos, clock: 5 as never })).toThrow(/clock must be a function/);
  });

  it('a notifier that throws does not fail recordObservation; the lost alert is counted and reported', () => {
    const diagnostics: string[] = [];
    const { monitor } = createTestMonitor({ onDiagnostic: (d) => diagnostics.push(`${d.kind}: ${d.message}`) });
    const slos = new SLOMonitor({ slos: [{ name: 'a', target: 99.9, windowSeconds: 30 * DAY }], monitor, notifier: { notify: () => { throw new Error('boom'); } } });
    expect(() => slos.recordObservation(false)).not.toThrow();
    expect(dropped(monitor, 'export_failed')).toBe(2); // page and ticket
    expect(diagnostics).toEqual([expect.stringMatching(/SLOMonitor notifier threw \(boom\); the alert slo:a:page firing was not delivered/)]);
  });
});

describe('minEvents (SLO-07)', () => {
  it('holds an alert until the long window has enough events', () => {
    let t = T0;
    const slos = new SLOMonitor({ slos: [{ name: 'x', target: 99.9, windowSeconds: 30 * DAY, minEvents: 10 }], clock: () => t });
    slos.recordObservation(false);
    expect(slos.status().burnRates[0].longBurnRate).toBeCloseTo(1000, 6);
    expect(slos.status().alerts).toEqual([]);
    for (let i = 0; i < 9; i++) slos.recordObservation(true);
    t += 1;
    expect(slos.status().alerts).toEqual(['page', 'ticket']);
  });
});

describe('minWindowSeconds: SLOMonitor reads the ranges the rules read (SLO-05, SLO-07)', () => {
  const START = Date.UTC(2025, 0, 1);
  /** A 1 h SLO at 99 % for 30 minutes of one event every 10 s, every other one an error (burn 50). */
  function lowTraffic(minWindowSeconds?: number) {
    let t = START;
    const alerts: Alert[] = [];
    const slos = new SLOMonitor({ slos: [{ name: 'hourly', target: 99, windowSeconds: 3600 }], clock: () => t, notifier: { notify: (a) => alerts.push(a) }, ...(minWindowSeconds === undefined ? {} : { minWindowSeconds }) });
    for (let i = 0; i < 180; i++, t += 10_000) slos.recordObservation(i % 2 === 0);
    const page = alerts.filter((a) => a.severity === 'critical').map((a) => a.state);
    return { page, status: slos.status() };
  }

  it('a 1 h SLO at low traffic pages once and stays firing, instead of firing and resolving with every event', () => {
    const { page, status } = lowTraffic();
    // The page windows (5 s/0.42 s, 30 s/2.5 s) read 1 min, 6 events: the ratio stays near 0.5.
    expect(page).toEqual(['firing']);
    expect(status.alerts).toEqual(['page', 'ticket']);
    expect(status.burnRates.map((b) => [b.longWindowSeconds, b.shortWindowSeconds, b.longRangeSeconds, b.shortRangeSeconds])).toEqual([
      [5, 5 / 12, 60, 60],
      [30, 2.5, 60, 60],
      [360, 30, 360, 60],
    ]);
    // minWindowSeconds 0 reads the windows as scaled: one event or none, an alert per event.
    expect(lowTraffic(0).page.length).toBeGreaterThan(100);
  });

  it('minEvents above 1 is scaled to a widened long range, as in the rules', () => {
    let t = START;
    const slos = new SLOMonitor({ slos: [{ name: 'h', target: 99, windowSeconds: 3600, minEvents: 400 }], clock: () => t });
    // 10 events a second, half of them errors, for 2 minutes: 600 a minute.
    for (let i = 0; i < 1200; i++, t += 100) slos.recordObservation(i % 2 === 0);
    // The page ranges (1m) hold 600 events, fewer than 400 × 60/5 = 4800 and 400 × 60/30 = 800;
    // the rules say the same (`increase(...[1m]) >= 4800` and `>= 800`).
    expect(slos.status().alerts).toEqual(['ticket']);
    expect(slos.toPrometheusRules()).toMatch(/\[1m\]\)\) >= 4800\)/);
  });

  it('the ring holds a range widened past the SLO window', () => {
    let t = START + 500;
    const slos = new SLOMonitor({ slos: [{ name: 's', target: 99, windowSeconds: 30 }], clock: () => t });
    slos.recordObservation(false);
    t += 45_000;
    slos.recordObservation(true);
    const s = slos.status();
    expect(s.total).toBe(1); // the 30 s SLO window
    expect(s.burnRates[0].longRangeSeconds).toBe(60);
    expect(s.burnRates[0].longBurnRate).toBeCloseTo(50, 9); // 1 error in 2 events over 60 s
  });

  it("the monitor's rules use its minWindowSeconds unless given their own; a bad value throws at construction", () => {
    const slo = new SLO({ name: 'h', target: 99, windowSeconds: 3600 });
    expect(new SLOMonitor({ slos: [slo] }).toPrometheusRules()).toBe(slo.toPrometheusRules());
    const exact = new SLOMonitor({ slos: [slo], minWindowSeconds: 0 });
    expect(exact.minWindowSeconds).toBe(0);
    expect(exact.toPrometheusRules()).toContain('[417ms]');
    expect(exact.toPrometheusRules({ minWindowSeconds: 60 })).toBe(slo.toPrometheusRules());
    for (const minWindowSeconds of [NaN, -1, Infinity, '1m' as unknown as number]) {
      expect(() => new SLOMonitor({ slos: [slo], minWindowSeconds })).toThrow(/^new SLOMonitor: minWindowSeconds must be a finite number of seconds ≥ 0 \(default 60\), got /);
    }
    // The ring would need 60 s ÷ 0.0001 s buckets.
    expect(() => new SLOMonitor({ slos: [{ name: 'b', target: 99, windowSeconds: 1, bucketSeconds: 0.0001 }] })).toThrow(/needs over 100000 buckets for minWindowSeconds 60/);
  });
});

describe('toPrometheusRules options', () => {
  it('a minWindowSeconds that is not a finite number ≥ 0 throws, instead of writing `[NaNms]` ranges promtool refuses', () => {
    const slo = new SLO({ name: 'x', target: 99.9, windowSeconds: 30 * DAY });
    for (const minWindowSeconds of [NaN, -1, Infinity, '5m' as unknown as number]) {
      expect(() => slo.toPrometheusRules({ minWindowSeconds })).toThrow(/minWindowSeconds must be a finite number/);
    }
    expect(slo.toPrometheusRules({ minWindowSeconds: 0 })).toContain('[5m]');
  });

  it('minEvents is scaled to a range widened to minWindowSeconds, so the rules hold an alert as SLOMonitor does (SLO-07)', () => {
    // A 1 h SLO: page windows 5 s and 30 s, ticket 6 min; the rules read 1m, 1m and 6m.
    const rules = new SLO({ name: 'h', target: 99, windowSeconds: 3600, minEvents: 400 }).toPrometheusRules();
    const least = [...rules.matchAll(/increase\(slo_events_total\{slo=\\"h\\"\}\[(\w+)\]\)\) >= ([\d.]+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(least).toEqual(['1m 4800', '1m 800', '6m 400']);
    // 30 days: no range is widened, minEvents as given.
    expect(new SLO({ name: 'm', target: 99.9, windowSeconds: 30 * DAY, minEvents: 50 }).toPrometheusRules()).toMatch(/\[1h\]\)\) >= 50\)/);
    // minEvents 1 (the default) needs no clause at any window (a ratio needs an event): a
    // widened range must not make one (>= 12 held a low-traffic 1 h SLO's page, SLOMonitor's not).
    for (const windowSeconds of [3600, 6 * 3600, DAY]) expect(new SLO({ name: 'd', target: 99, windowSeconds }).toPrometheusRules()).not.toContain('increase(');
  });

  it('labels the rules set themselves (severity, slo) or reserved names throw instead of being dropped', () => {
    const slo = new SLO({ name: 'x', target: 99.9, windowSeconds: 30 * DAY });
    expect(() => slo.toPrometheusRules({ labels: { severity: 'critical' } })).toThrow(/labels.severity is set by the rules/);
    expect(() => slo.toPrometheusRules({ labels: { slo: 'y' } })).toThrow(/labels.slo is set by the rules/);
    expect(() => slo.toPrometheusRules({ labels: { __name__: 'y' } })).toThrow(/not a Prometheus label name/);
    expect(slo.toPrometheusRules({ labels: { team: 'pay', _x: '1' } })).toContain('team: "pay"');
  });

  it('a label value with a lone surrogate (no UTF-8 form) throws naming the problem', () => {
    const slo = new SLO({ name: 'x', target: 99.9, windowSeconds: 30 * DAY });
    expect(() => slo.toPrometheusRules({ labels: { team: 'a\ud800b' } })).toThrow(/lone surrogate/);
    expect(slo.toPrometheusRules({ labels: { team: 'a😀\x7f' } })).toContain('team: "a😀\\u007f"');
  });
});

describe('promDuration', () => {
  it('uses the largest exact unit', () => {
    expect([promDuration(3600), promDuration(300), promDuration(3 * DAY), promDuration(90), promDuration(5 / 12), promDuration(21600)]).toEqual(['1h', '5m', '3d', '90s', '417ms', '6h']);
  });
});
