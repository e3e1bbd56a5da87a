import { describe, expect, it } from 'vitest';
import type { Alert } from '../alerting/notifier.js';
import { getActiveScope } from '../context/active.js';
import { renderPrometheus } from '../exporters/prometheus/render-prometheus.js';
import { createTestMonitor } from '../testing/index.js';
import { SLOMonitor } from './slo-monitor.js';

const DAY = 86400;
const MIN = 60_000;
// On a 5-minute bucket boundary.
const START = Date.UTC(2025, 0, 1);

function setup() {
  let t = START;
  const alerts: Alert[] = [];
  const { monitor } = createTestMonitor();
  const slos = new SLOMonitor({
    slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }],
    monitor,
    clock: () => t,
    notifier: { notify: (a) => alerts.push(a) },
  });
  const at = (ms: number): void => void (t = ms);
  const states = (): string[] => alerts.map((a) => `${a.key.split(':')[2]} ${a.state}`);
  return { monitor, slos, at, states };
}

describe('SLOMonitor: an alert is checked at the next interaction after its threshold is crossed', () => {
  it('the end of a burst, held back by the once-a-second limit, fires at the next metrics collection (a scrape) with no further event', () => {
    const { monitor, slos, at, states } = setup();
    at(START);
    slos.recordObservation(true); // checked: nothing fires
    for (let i = 1; i <= 20; i++) {
      at(START + i * 10); // all within the second after the check
      slos.recordObservation(false);
    }
    expect(states()).toEqual([]);
    // Silence; then Prometheus scrapes the monitor.
    at(START + 15_000);
    renderPrometheus(monitor);
    expect(states()).toEqual(['page firing', 'ticket firing']);
    renderPrometheus(monitor);
    expect(states()).toHaveLength(2);
  });

  it("the end of a burst in a request fires at that request's flush (Workers, Lambda: no later call may come), its post held by the request's waitUntil", async () => {
    let t = START;
    const held: boolean[] = [];
    const { monitor } = createTestMonitor();
    const slos = new SLOMonitor({
      slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }],
      monitor,
      clock: () => t,
      // As webhookNotifier does: the post is handed to the active scope's waitUntil.
      notifier: { notify: () => void held.push(getActiveScope()?.waitUntil(Promise.resolve()) ?? false) },
    });
    slos.recordObservation(true);
    const scope = monitor.openScope();
    const flushed = scope.run(() => {
      for (let i = 0; i < 5; i++) {
        t += 10;
        slos.recordObservation(false);
      }
      expect(held).toEqual([]);
      return scope.close();
    });
    expect(held).toEqual([true, true]);
    await flushed;
  });

  it('a window that crosses its threshold as time passes, with no event, fires at the next collection; one that falls back resolves at the next collection', () => {
    const { monitor, slos, at, states } = setup();
    at(START - 2 * 3600_000);
    for (let i = 0; i < 2000; i++) slos.recordObservation(true);
    at(START + MIN);
    for (let i = 0; i < 1000; i++) slos.recordObservation(true);
    at(START + 60 * MIN + 10_000);
    for (let i = 0; i < 10; i++) slos.recordObservation(false);
    // 1 h: 10 errors in about 977 events (1.02 %, under 14.4 × 0.1 %); 6 h: 0.33 % (under 6 × 0.1 %).
    expect(slos.status().alerts).toEqual(['ticket']);
    expect(states()).toEqual(['ticket firing']);
    // Four minutes later the good events of minute 1 have mostly left the 1 h window (4.8 %),
    // and the errors are still in the 5 m one: the page fires, though nothing was recorded.
    at(START + 64 * MIN);
    monitor.metrics.collect({ temporality: 'cumulative' });
    expect(states()).toEqual(['ticket firing', 'page firing']);
    // The errors leave the 5 m window: the page resolves at the next collection.
    at(START + 3 * 3600_000);
    monitor.metrics.collect({ temporality: 'cumulative' });
    expect(states()).toEqual(['ticket firing', 'page firing', 'page resolved']);
    // Once nothing can change as time passes, the collections stop checking (an idle SLO
    // monitor adds no work to the monitor's exports), until the next observation.
    at(START + 4 * DAY * 1000);
    monitor.metrics.collect({ temporality: 'cumulative' });
    expect(states().at(-1)).toBe('ticket resolved');
    expect(monitor.metrics.hasCollectCallbacks).toBe(false);
    slos.recordObservation(true);
    expect(monitor.metrics.hasCollectCallbacks).toBe(true);
  });

  it('without a notifier nothing is added to the collections', () => {
    const { monitor } = createTestMonitor();
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * DAY }], monitor });
    slos.recordObservation(false);
    expect(monitor.metrics.hasCollectCallbacks).toBe(false);
    expect(slos.status().total).toBe(1);
  });

  it('a clock stepped back does not resolve a firing page, nor stop the checks, until it catches up: the time stalls', () => {
    const { slos, at, states } = setup();
    let t = START;
    for (; t < START + 2 * 3600_000; t += 1000) {
      at(t);
      slos.recordObservation(true);
    }
    for (let n = 0; n < 600; n++, t += 1000) {
      at(t);
      slos.recordObservation(n % 2 === 0); // 50 % errors for 10 minutes
    }
    expect(states()).toEqual(['ticket firing', 'page firing']);
    // The custom clock (following the wall clock) is stepped back 30 minutes.
    at(t - 30 * MIN);
    expect(slos.status().alerts).toEqual(['page', 'ticket']);
    expect(states()).toEqual(['ticket firing', 'page firing']);
  });
});
