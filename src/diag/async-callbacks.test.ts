import { describe, expect, it } from 'vitest';
import { unhandledRejections } from '../../test/helpers/unhandled-rejections.js';
import { createTestMonitor } from '../testing/index.js';
import { HookRegistry } from '../hooks/registry.js';
import { notifySafely, type Alert } from '../alerting/notifier.js';
import { webhookNotifier } from '../alerting/webhook-notifier.js';
import { OtlpBackend } from '../exporters/otlp/otlp-backend.js';

// "Never break the host app": an async callback of the user's that rejects is handled as a
// throwing one is. Unhandled, the rejection ends a Node process (--unhandled-rejections=throw,
// Node's default) and is logged as an uncaught error on Workers.
const unhandled = unhandledRejections();

/** Long enough for a rejection to be reported unhandled (Node checks after the microtask queue drains). */
const settle = () => new Promise((r) => setTimeout(r, 20));
const reject = async (): Promise<void> => {
  throw new Error('async callback failed');
};
const alert: Alert = { source: 'health', name: 'db', key: 'health:db', state: 'firing', severity: 'critical', summary: 'db down', time: 0 };

describe('async user callbacks that reject', () => {
  it('onDiagnostic: the drop is still counted, nothing is left unhandled', async () => {
    const { monitor } = createTestMonitor({ onDiagnostic: reject });
    monitor.metrics.createCounter('orders_total', 'Orders').increment(-1);
    await settle();
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(dropped.points.length).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it("OtlpBackend's onDiagnostic, on a failed export", async () => {
    const otlp = new OtlpBackend({ endpoint: 'http://127.0.0.1:9', fetch: async () => new Response('no', { status: 400 }), onDiagnostic: reject });
    const { monitor } = createTestMonitor({ backends: [otlp] });
    monitor.tracer.startSpan('a').end();
    await monitor.flush();
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("a hook listener: handed to the registry's onError, as a throwing one is; an onError that rejects goes nowhere", async () => {
    const errors: [unknown, string][] = [];
    const hooks = new HookRegistry((err, event) => errors.push([err, event]));
    hooks.on('cache.hit', reject);
    hooks.cacheHit({ key: 'k' });
    await settle();
    expect(errors.map(([e, ev]) => [(e as Error).message, ev])).toEqual([['async callback failed', 'cache.hit']]);
    const quiet = new HookRegistry(reject);
    quiet.on('cache.miss', reject);
    quiet.cacheMiss({ key: 'k' });
    await settle();
    expect(unhandled).toEqual([]);
  });

  it("a notifier's async notify and its onError: the lost alert is handed to onError", async () => {
    const lost: Alert[] = [];
    notifySafely({ notify: reject }, alert, (_e, a) => void lost.push(a));
    notifySafely({ notify: reject }, alert, reject);
    await settle();
    expect(lost).toEqual([alert]);
    expect(unhandled).toEqual([]);
  });

  it("webhookNotifier's onError", async () => {
    const calls: string[] = [];
    const notifier = webhookNotifier({
      url: 'https://hooks.example.com/alert',
      fetch: async () => new Response('down', { status: 503 }),
      onError: async (e) => {
        calls.push((e as Error).message);
        throw new Error('onError failed too');
      },
    });
    notifier.notify(alert);
    await notifier.flush?.();
    await settle();
    expect(calls).toEqual(['webhook answered HTTP 503']);
    expect(unhandled).toEqual([]);
  });
});
