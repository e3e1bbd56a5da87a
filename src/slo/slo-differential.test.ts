/**
 * Differential test: the same synthetic traffic through `SLOMonitor` (in process, simulated
 * clock) and through the generated rules in `promtool test rules` (the SLI counters the monitor
 * exported, sampled each minute). At every checkpoint the page and ticket states must agree.
 * Locally a missing promtool skips with a message; with CI=true it fails.
 *
 * Accepted differences (why checkpoints near a transition are skipped, `tolerance` minutes
 * either side of each in-process start or stop):
 * 1. Bucket granularity: in process, the bucket a window starts in counts for its share, its
 *    events taken as spread evenly over it (README "SLOs"). When traffic changes inside a
 *    bucket, a window edge crossing that bucket sees a blend, so a transition can move by up to
 *    one bucket (5 min for a 30-day SLO, 1 s for a 1 h SLO).
 * 2. Sampling: Prometheus sees the counters once a scrape (1 min here) and `rate()` works on
 *    those samples; in process every event counts at its own time. Up to one scrape interval.
 *    (Mid-series, a range holds samples at both its ends, so `rate()` does not extrapolate.)
 * 3. None from minWindowSeconds (default 60): neither side reads a range under 60 s, so a 1 h
 *    SLO's scaled windows (5 s/0.4 s, 30 s/2.5 s, 6 min/30 s) are 1m/1m, 1m/1m, 6m/1m in
 *    Prometheus and in process alike, with minEvents scaled to the wider range on both (the 1 h
 *    scenarios agree at every checkpoint but a transition's own minute).
 * 4. A ratio exactly at a threshold: the rules compute 1 − good/total, SLOMonitor
 *    (total − good)/total; they can differ in the last bit, so traffic here stays off thresholds.
 * 5. Latency SLOs: SLOMonitor applies thresholdMs itself (a latency at the threshold is good)
 *    and exports the verdict in the same two counters; the rules divide those, not histogram
 *    buckets (SLO-06's `total − bucket{le=threshold}`), so no bucket bound need match the
 *    threshold and both sides count the same events.
 * 6. SLOMonitor evaluates on a recorded event (at most once a second) or status(): here
 *    status() at every minute, as Prometheus evaluates its rules.
 * The rules use no `for:`, so an alert fires at the first evaluation whose condition holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CounterMetric } from '../model/metric-data.js';
import { createTestMonitor } from '../testing/index.js';
import type { SLOOptions } from './slo.js';
import { SLOMonitor } from './slo-monitor.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
if (!found && !IN_CI) console.warn('\n[SKIPPED] promtool not found: apt-get install prometheus (with CI=true this fails).\n');

const MIN = 60_000;
const START = Date.UTC(2025, 0, 1); // a day, hence every bucket, starts here
const DAY = 1440; // minutes

/** A stretch of traffic: `perMinute` events spread evenly over each minute, `bad` of them bad (a share). */
interface Phase {
  minutes: number;
  perMinute: number;
  bad: number;
}

interface Scenario {
  name: string;
  slo: SLOOptions;
  phases: Phase[];
  /** Minutes between checkpoints (the rules' evaluation_interval too). */
  every: number;
  /** Checkpoints this many minutes either side of an in-process transition are skipped. */
  tolerance: number;
  /** In process transitions, `severity state minute` (minute of the first status() that shows it). */
  transitions: string[];
  /** Latency SLO: the latencies (seconds) of good and bad events. */
  latency?: [good: number, bad: number];
}

/** Runs the traffic through SLOMonitor: per-minute alert states, counters as exported, and notifications. */
function inProcess(s: Scenario) {
  let t = START;
  const { monitor } = createTestMonitor();
  const notified: string[] = [];
  const slos = new SLOMonitor({ slos: [s.slo], monitor, clock: () => t, notifier: { notify: (a) => void notified.push(`${a.severity === 'critical' ? 'page' : 'ticket'} ${a.state} ${(a.time - START) / MIN}`) } });
  // As a scrape sees it: '_' (no sample) while the series does not exist.
  const counter = (name: string) => (monitor.metrics.collect().metrics.find((m) => m.name === name) as CounterMetric | undefined)?.points[0]?.value ?? '_';
  const states: string[] = [];
  // The scrape at minute 0, right after the monitor was made.
  const total = [counter('slo_events_total')];
  const good = [counter('slo_good_events_total')];
  let minute = 0;
  for (const p of s.phases) {
    for (let m = 0, k = 0; m < p.minutes; m++, minute++) {
      t = START + minute * MIN;
      states.push(slos.status().alerts.join(','));
      for (let i = 0; i < p.perMinute; i++, k++) {
        t = START + minute * MIN + Math.floor(((i + 0.5) * MIN) / p.perMinute);
        // Bad events spread evenly: event k is bad when the running count of bad ones steps up.
        const bad = Math.floor((k + 1) * p.bad) > Math.floor(k * p.bad);
        slos.recordObservation(s.latency ? s.latency[bad ? 1 : 0] : !bad);
      }
      total.push(counter('slo_events_total'));
      good.push(counter('slo_good_events_total'));
    }
  }
  t = START + minute * MIN;
  states.push(slos.status().alerts.join(','));
  const transitions: string[] = [];
  for (let m = 1; m < states.length; m++) {
    for (const sev of ['page', 'ticket']) {
      const was = states[m - 1].split(',').includes(sev);
      const is = states[m].split(',').includes(sev);
      if (was !== is) transitions.push(`${sev} ${is ? 'firing' : 'resolved'} ${m}`);
    }
  }
  return { states, total, good, transitions, notified, rules: slos.toPrometheusRules() };
}

/** The rule test: one alert_rule_test a checkpoint, expecting what SLOMonitor said then. Returns the mismatched checkpoints. */
function inPrometheus(s: Scenario, run: ReturnType<typeof inProcess>): { checked: number; mismatches: string[] } {
  const rules = run.rules.replace(/^ {10}(summary|description): .*\n/gm, '');
  const changes = run.transitions.map((x) => Number(x.split(' ')[2]));
  let tests = '';
  let checked = 0;
  for (let c = s.every; c < run.states.length; c += s.every) {
    if (changes.some((m) => Math.abs(m - c) <= s.tolerance)) continue;
    checked++;
    const exp = run.states[c] ? run.states[c].split(',').map((sev) => `{ exp_labels: { severity: ${sev}, slo: ${s.slo.name} } }`) : [];
    tests += `      - eval_time: ${c}m\n        alertname: SLOErrorBudgetBurn\n        exp_alerts: [${exp.join(', ')}]\n`;
  }
  const file =
    `rule_files: [rules.yml]\nevaluation_interval: ${s.every}m\ntests:\n  - interval: 1m\n    input_series:\n` +
    `      - series: 'slo_events_total{slo="${s.slo.name}"}'\n        values: '${run.total.join(' ')}'\n` +
    `      - series: 'slo_good_events_total{slo="${s.slo.name}"}'\n        values: '${run.good.join(' ')}'\n` +
    `    alert_rule_test:\n${tests}`;
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-slo-diff-'));
  writeFileSync(join(dir, 'rules.yml'), rules);
  writeFileSync(join(dir, 'tests.yml'), file);
  const r = spawnSync('promtool', ['test', 'rules', 'tests.yml'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  const out = `${r.stdout}${r.stderr}`;
  const severities = (text: string) => `[${[...text.matchAll(/severity="(\w+)"/g)].map((m) => m[1]).join(',')}]`;
  const mismatches = out
    .split('alertname: SLOErrorBudgetBurn, time: ')
    .slice(1)
    .map((chunk) => {
      const [exp, got] = chunk.split('got:');
      return `${chunk.split(',')[0]}: SLOMonitor ${severities(exp)}, rules ${severities(got ?? '')}`;
    });
  if (r.status !== 0 && mismatches.length === 0) mismatches.push(out);
  return { checked, mismatches };
}

const month = (o: Partial<SLOOptions> = {}): SLOOptions => ({ name: 'checkout', target: 99.9, windowSeconds: 30 * 86400, ...o });

const SCENARIOS: Scenario[] = [
  {
    name: 'steady good traffic: nothing fires',
    slo: month(),
    phases: [{ minutes: 12 * 60, perMinute: 100, bad: 0 }],
    every: 5,
    tolerance: 0,
    transitions: [],
  },
  {
    name: 'total outage of 10 min (not on a bucket boundary), then recovery',
    slo: month(),
    phases: [{ minutes: 122, perMinute: 100, bad: 0 }, { minutes: 10, perMinute: 100, bad: 1 }, { minutes: 7 * 60, perMinute: 100, bad: 0 }],
    every: 1,
    tolerance: 6, // a 5-minute bucket and a 1-minute scrape
    // Page at once (1 h: 100 errors in 6000 events > 1.44 %); the 6 h/30 m pair holds it until the
    // outage leaves the 30 m window, the ticket until it leaves the 6 h one.
    transitions: ['page firing 123', 'ticket firing 123', 'page resolved 165', 'ticket resolved 495'],
  },
  {
    name: 'fast burn blip: 2 % errors for 10 min after 6 h of good traffic spends 0.46 % of the budget; nothing fires (SLO-03)',
    slo: month(),
    phases: [{ minutes: 360, perMinute: 1000, bad: 0 }, { minutes: 10, perMinute: 1000, bad: 0.02 }, { minutes: 120, perMinute: 1000, bad: 0 }],
    every: 5,
    tolerance: 0,
    transitions: [],
  },
  {
    name: 'fast burn: 2 % errors for 90 min pages after 43.2 min (SLO-04)',
    slo: month(),
    phases: [{ minutes: 360, perMinute: 1000, bad: 0 }, { minutes: 90, perMinute: 1000, bad: 0.02 }, { minutes: 8 * 60, perMinute: 1000, bad: 0 }],
    every: 1,
    tolerance: 6,
    // SLO-04: time to detect = (0.001 ÷ 0.02) × 60 min × 14.4 = 43.2 min; the ticket's 6 h window
    // passes 0.1 % after 18 min, its 3 d window (6 h of history) after 18.9 min. The 5 m window
    // ends the page; the ticket lasts while the 6 h window holds more than 18 min of the burn.
    transitions: ['ticket firing 379', 'page firing 404', 'page resolved 452', 'ticket resolved 792'],
  },
  {
    name: 'slow burn: 0.2 % errors for 3 days tickets, never pages',
    slo: month(),
    phases: [{ minutes: DAY, perMinute: 100, bad: 0 }, { minutes: 3 * DAY, perMinute: 100, bad: 0.002 }, { minutes: 12 * 60, perMinute: 100, bad: 0 }],
    every: 5,
    tolerance: 10, // a 5-minute bucket and a 5-minute evaluation interval
    // Burn rate 2: the 3 d window (1 d of clean history) passes 1 after a day of burning; the
    // 6 h window drops under it 3 h after the burn ends.
    transitions: ['ticket firing 2885', 'ticket resolved 5940'],
  },
  {
    name: 'burst of 50 % errors for 15 min against 99 %, then recovery: every alert stops',
    slo: month({ target: 99 }),
    phases: [{ minutes: 120, perMinute: 200, bad: 0 }, { minutes: 15, perMinute: 200, bad: 0.5 }, { minutes: 8 * 60, perMinute: 200, bad: 0 }],
    every: 1,
    tolerance: 6,
    // Burn 50: the 1 h window would need 17.3 min of it and the 6 h one (2 h of history) 16.4 min,
    // so no page; the ticket stops when the 6 h window holds under 7.2 min of the burst.
    transitions: ['ticket firing 123', 'ticket resolved 488'],
  },
  {
    name: 'low traffic (1 event a minute), one error, minEvents 1',
    slo: month(),
    phases: [{ minutes: 60, perMinute: 1, bad: 0 }, { minutes: 1, perMinute: 1, bad: 1 }, { minutes: 8 * 60, perMinute: 1, bad: 0 }],
    every: 1,
    tolerance: 6,
    // 1 error in the 60 events of the last hour is burn 16.7: SLO-07's low-traffic page.
    transitions: ['page firing 61', 'ticket firing 61', 'page resolved 95', 'ticket resolved 424'],
  },
  {
    name: 'low traffic (1 event a minute), one error, minEvents 100',
    slo: month({ minEvents: 100 }),
    phases: [{ minutes: 60, perMinute: 1, bad: 0 }, { minutes: 1, perMinute: 1, bad: 1 }, { minutes: 8 * 60, perMinute: 1, bad: 0 }],
    every: 1,
    tolerance: 6,
    // The 1 h and 6 h windows never hold 100 events while the error is in the short windows; the
    // 3 d window reaches 100 at minute 100 (both sides count events the same way).
    transitions: ['ticket firing 100', 'ticket resolved 424'],
  },
  {
    // A series that appears at its first increment loses, to rate(), the events before its first
    // scrape: here the good series would first be scraped at 2000, after the burst of minute 1,
    // and the rules would miss those good events and page for over an hour while SLOMonitor does not.
    name: 'a new isolate whose first requests fail: the good events before the first scrape still count',
    slo: month(),
    phases: [{ minutes: 1, perMinute: 10, bad: 1 }, { minutes: 1, perMinute: 2000, bad: 0 }, { minutes: 120, perMinute: 100, bad: 0 }],
    every: 1,
    tolerance: 1,
    // 10 failures in 2010 events (0.5 %) are under the page's 0.6 % at minute 2; the ticket's
    // 3 d/6 h pair reads over 0.1 % until 10 000 events.
    transitions: ['page firing 1', 'ticket firing 1', 'page resolved 2', 'ticket resolved 82'],
  },
  {
    name: 'latency SLO (300 ms, 99 %): 40 % slow requests for 30 min',
    slo: { name: 'api_latency', target: 99, windowSeconds: 30 * 86400, thresholdMs: 300 },
    latency: [0.3, 0.5], // good events exactly at the threshold
    phases: [{ minutes: 120, perMinute: 200, bad: 0 }, { minutes: 30, perMinute: 200, bad: 0.4 }, { minutes: 7 * 60, perMinute: 200, bad: 0 }],
    every: 1,
    tolerance: 6,
    // Burn 40: the 1 h window passes 14.4 after 21.6 min of it.
    transitions: ['ticket firing 124', 'page firing 142', 'page resolved 176', 'ticket resolved 501'],
  },
  {
    name: '1 h SLO at 99 %: 5 % then 50 % errors, then recovery',
    slo: { name: 'hourly', target: 99, windowSeconds: 3600 },
    phases: [{ minutes: 10, perMinute: 600, bad: 0 }, { minutes: 10, perMinute: 600, bad: 0.05 }, { minutes: 10, perMinute: 600, bad: 0.5 }, { minutes: 20, perMinute: 600, bad: 0 }],
    every: 1,
    tolerance: 0, // both read 1-minute ranges (accepted difference 3)
    transitions: ['ticket firing 12', 'page firing 21', 'page resolved 31', 'ticket resolved 31'],
  },
  {
    name: '1 h SLO at 99 %, minEvents 400: 50 % errors',
    slo: { name: 'hourly', target: 99, windowSeconds: 3600, minEvents: 400 },
    phases: [{ minutes: 10, perMinute: 600, bad: 0 }, { minutes: 10, perMinute: 600, bad: 0.5 }, { minutes: 20, perMinute: 600, bad: 0 }],
    every: 1,
    tolerance: 0,
    // The 1m page ranges hold 600 events, fewer than minEvents scaled to them (4800 and 800), so
    // neither side pages; the 6m ticket range holds enough.
    transitions: ['ticket firing 11', 'ticket resolved 21'],
  },
  {
    name: '1 h SLO at 99 %, low traffic (6 events a minute), 50 % errors for 30 min: pages once, as the rules (SLO-07)',
    slo: { name: 'hourly', target: 99, windowSeconds: 3600 },
    phases: [{ minutes: 10, perMinute: 6, bad: 0 }, { minutes: 30, perMinute: 6, bad: 0.5 }, { minutes: 20, perMinute: 6, bad: 0 }],
    every: 1,
    tolerance: 0,
    // Read as scaled (5 s/0.4 s, 30 s/2.5 s), the page windows held one event or none: SLOMonitor
    // notified 180 page starts and stops while the rules' 1m ranges paged throughout. Both read 1m.
    transitions: ['page firing 11', 'ticket firing 11', 'page resolved 41', 'ticket resolved 41'],
  },
];

describe.runIf(found || IN_CI)('SLOMonitor and the generated rules agree on page and ticket (simulated time)', () => {
  for (const s of SCENARIOS) {
    it(s.name, () => {
      const run = inProcess(s);
      expect(run.transitions).toEqual(s.transitions);
      // The notifier saw the same starts and stops, within the minute before each status().
      const byMinute = (x: string) => x.replace(/[\d.]+$/, (m) => String(Math.ceil(Number(m))));
      expect(run.notified.map(byMinute).sort()).toEqual([...s.transitions].sort());
      const { checked, mismatches } = inPrometheus(s, run);
      expect(mismatches).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    }, 120_000); // days of simulated traffic on a shared CI machine
  }
});
