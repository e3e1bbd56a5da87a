/**
 * Every metric name this layer creates (metered, hooks, health, SLO, PerformanceMonitor),
 * rendered by the Prometheus exporter and linted by the real `promtool check metrics`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderSnapshot } from '../exporters/prometheus/index.js';
import { HookRegistry } from '../hooks/registry.js';
import { PerformanceMonitor } from '../perf/performance-monitor.js';
import { SLOMonitor } from '../slo/slo-monitor.js';
import { createTestMonitor } from '../testing/index.js';
import { metered } from './metered.js';
import { metricBase } from './wrap.js';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const found = spawnSync('promtool', ['--version']).status === 0;
if (!found && !IN_CI) console.warn('\n[SKIPPED] promtool not found: apt-get install prometheus (with CI=true this fails).\n');

it('metricBase makes snake_case names', () => {
  expect(['Orders.placeOrder', 'orders_processed', 'getUserById', '9lives', 'jobs_total', 'a--b'].map(metricBase)).toEqual([
    'orders_place_order',
    'orders_processed',
    'get_user_by_id',
    'fn_9lives',
    'jobs',
    'a_b',
  ]);
});

describe.runIf(found || IN_CI)('promtool check metrics on the layer’s metric names', () => {
  it('passes lint', async () => {
    const { monitor } = createTestMonitor();
    metered('Orders.placeOrder', () => {
      throw new TypeError('x');
    }, { monitor });
    const f = metered('orders_processed', async () => 1, { monitor });
    await f();
    try {
      metered('Orders.placeOrder', () => {
        throw new TypeError('x');
      }, { monitor })();
    } catch {
      // expected
    }
    const hooks = new HookRegistry();
    monitor.subscribeHooks(hooks);
    hooks.cacheHit({ cache: 'c' });
    hooks.cacheMiss({ cache: 'c' });
    hooks.cacheSet({ cache: 'c' });
    hooks.cacheDelete({ cache: 'c' });
    hooks.eventPublish({ topic: 't' });
    hooks.eventConsume({ topic: 't', durationMs: 1 });
    hooks.sqlQuery({ statement: 'select 1', durationMs: 1, error: new Error('x') });
    hooks.webRequest({ method: 'GET', route: '/', status: 200, durationMs: 1 });
    hooks.authLogin(false, { reason: 'bad_password' });
    hooks.queueEnqueue({ queue: 'q' });
    hooks.queueProcess({ queue: 'q', durationMs: 1 });
    hooks.taskStart({ task: 't' });
    hooks.taskEnd({ task: 't', durationMs: 1 });
    monitor.health.register('db', () => true);
    await monitor.health.checkAll();
    new SLOMonitor({ slos: [{ name: 'api', target: 99, windowSeconds: 3600 }], monitor }).recordObservation(true);
    new PerformanceMonitor(monitor).measure('op', () => 1);

    const text = renderSnapshot(monitor.metrics.collect());
    for (const name of [
      'orders_place_order_errors_total',
      'orders_processed_calls_total',
      'orders_processed_duration_seconds_bucket',
      'cache_hits_total',
      'sql_queries_total',
      'http_server_request_duration_seconds_bucket',
      'auth_logins_total',
      'queue_messages_processed_total',
      'tasks_active',
      'health_check_status',
      'slo_events_total',
      'slo_good_events_total',
      'performance_operation_duration_seconds_bucket',
    ]) {
      expect(text).toContain(`\n${name}`);
    }
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
