import { expect, test } from 'vitest';
import { createMonitor } from '../../monitor.js';
import { PushgatewayBackend } from './backend.js';

const gateway = (calls: { method: string; body: string }[]) => async (_u: string, init: RequestInit) => {
  calls.push({ method: String(init.method), body: init.body === undefined ? '' : String(init.body) });
  return new Response('', { status: 200 });
};

// A batch job whose run recorded nothing still ran: its group is replaced by its (empty) state and
// push_time_seconds moves on, as with any other run (PG-03), instead of keeping the last run's values.
test('a run that records nothing PUTs its empty state at shutdown(), once', async () => {
  const calls: { method: string; body: string }[] = [];
  const monitor = createMonitor({ serviceName: 'job', backends: [new PushgatewayBackend({ url: 'http://pgw.local:9091', job: 'empty-run', fetch: gateway(calls) })] });
  // A counter created but never incremented has no series (as on /metrics): it is not pushed as 0.
  monitor.metrics.createCounter('er_rows_total', 'rows');
  await monitor.flush();
  await monitor.shutdown();
  await monitor.shutdown();
  expect(calls).toEqual([{ method: 'PUT', body: '' }]);
});

test('a run that pushed, or deleted its group, pushes nothing more at shutdown()', async () => {
  const calls: { method: string; body: string }[] = [];
  const push = new PushgatewayBackend({ url: 'http://pgw.local:9091', job: 'j', fetch: gateway(calls) });
  const monitor = createMonitor({ serviceName: 'job', backends: [push] });
  monitor.metrics.createCounter('er_rows_total', 'rows').increment(5);
  await monitor.flush();
  await monitor.shutdown();
  expect(calls.map((c) => c.method)).toEqual(['PUT']);
  expect(calls[0]!.body).toContain('er_rows_total 5\n');

  const deleted: { method: string; body: string }[] = [];
  const push2 = new PushgatewayBackend({ url: 'http://pgw.local:9091', job: 'j', method: 'POST', fetch: gateway(deleted) });
  await push2.delete();
  await push2.shutdown();
  expect(deleted.map((c) => c.method)).toEqual(['DELETE']);
});

test('with method POST, a run that records nothing POSTs an empty body (only push_time_seconds changes, PG-04)', async () => {
  const calls: { method: string; body: string }[] = [];
  const push = new PushgatewayBackend({ url: 'http://pgw.local:9091', job: 'j', method: 'POST', fetch: gateway(calls) });
  await push.shutdown();
  expect(calls).toEqual([{ method: 'POST', body: '' }]);
});
