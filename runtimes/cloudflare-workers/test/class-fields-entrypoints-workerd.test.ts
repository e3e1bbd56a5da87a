/**
 * Durable Objects and WorkerEntrypoints in real workerd (miniflare 4) written as apps write them
 * and the monitor must not change: handlers as class fields, static private fields read through
 * `this.constructor`, a frozen binding; and the alarm's scheduled time on its span.
 */
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixture, startWorker } from './helpers/workerd.js';

interface Span {
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
}
interface Dump {
  events: any[];
  diagnostics: string[];
  spans: Span[];
}
const SERVER = 2;

describe.each([
  { name: 'nodejs_compat', flags: ['nodejs_compat'] },
  { name: 'no compatibility flag', flags: [] as string[] },
])('workerd, class fields, static private fields, frozen bindings, alarm time, $name', ({ flags }) => {
  let mf: Miniflare;
  const get = async (path: string): Promise<any> => (await mf.dispatchFetch(`http://worker.test${path}`)).json();
  /** Polls /dump until `done` says so (at most 10 s). */
  const dumpUntil = async (done: (d: Dump) => boolean): Promise<Dump> => {
    for (let i = 0; ; i++) {
      const d = (await get('/dump')) as Dump;
      if (done(d)) return d;
      if (i > 500) throw new Error(`timed out: ${JSON.stringify(d.spans.map((s) => s.name))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  beforeAll(async () => {
    mf = await startWorker({
      flags,
      entry: fixture('worker-entrypoints.ts'),
      vars: {},
      extra: {
        name: 'main',
        durableObjects: { FIELDS: { className: 'FieldsDO', useSQLite: true }, RAW_FIELDS: { className: 'Fields', useSQLite: true } },
        serviceBindings: { SVC: { name: 'main', entrypoint: 'SvcFieldsEntry' }, RAW_SVC: { name: 'main', entrypoint: 'SvcFields' } },
      } as never,
    });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  test('`this.constructor` is the class, as not instrumented: its static private fields are readable (a TypeError was thrown into the call), on a Durable Object and a WorkerEntrypoint', async () => {
    const raw = await get('/fields?raw');
    const out = await get('/fields');
    // The static counters are the class's own, shared by both: the instrumented calls come second.
    expect(raw).toMatchObject({ count: 1, svcCalls: 1, kind: [true, 'Fields'] });
    expect(out).toMatchObject({ count: 2, svcCalls: 2, kind: [true, 'Fields'] });
    expect(out.fetch).toBe(raw.fetch);
    // workerd itself exposes no instance field over RPC, instrumented or not.
    expect(out.field).toEqual(raw.field);
    const { spans } = await dumpUntil((d) => d.spans.some((s) => s.name === 'SvcFields.calls'));
    for (const name of ['Fields.count', 'SvcFields.calls']) expect(spans.find((s) => s.name === name)!.status.code).toBe(0);
  });

  test('a Durable Object whose fetch and alarm are class fields (arrow functions): each call gets its SERVER span (they ran untraced)', async () => {
    expect(await get('/fields')).toMatchObject({ fetch: 'field fetch /x hidden true' });
    expect(await get('/alarm')).toEqual({ armed: true });
    const { spans, events } = await dumpUntil((d) => d.spans.some((s) => s.name === 'Fields.alarm'));
    const fetch = spans.find((s) => s.attributes['url.path'] === '/x')!;
    expect(fetch).toMatchObject({ name: 'GET', kind: SERVER, attributes: { 'cloudflare.durable_object.class': 'Fields', 'http.response.status_code': 200 } });
    const alarm = spans.find((s) => s.name === 'Fields.alarm')!;
    expect(alarm.kind).toBe(SERVER);
    expect(alarm.attributes['faas.trigger']).toBe('timer');
    // The field got the runtime's alarmInfo, as it would unwrapped.
    expect(events.some((e) => e.fieldAlarm && typeof e.fieldAlarm.retryCount === 'number')).toBe(true);
  });

  test('a WorkerEntrypoint whose fetch is a class field (an arrow function): a service call gets its SERVER span (it ran untraced)', async () => {
    expect(await get('/fields')).toMatchObject({ svcFetch: 'svc field fetch /y' });
    const { spans } = await dumpUntil((d) => d.spans.some((s) => s.attributes['url.path'] === '/y'));
    const served = spans.filter((s) => s.attributes['url.path'] === '/y');
    // One span per call, however often the test ran /fields: each a SERVER span with its status.
    expect(served.length).toBeGreaterThan(0);
    for (const s of served) expect(s).toMatchObject({ name: 'GET', kind: SERVER, attributes: { 'http.response.status_code': 200 } });
  });

  test('the alarm span has faas.time, the alarm\'s scheduled time from alarmInfo (FaaS conventions for a timer trigger), and the retry count', async () => {
    const { spans, events } = await dumpUntil((d) => d.spans.some((s) => s.name === 'Fields.alarm'));
    const info = events.find((e) => e.fieldAlarm)!.fieldAlarm as { scheduledTime?: number; retryCount: number };
    const alarm = spans.find((s) => s.name === 'Fields.alarm')!;
    expect(alarm.attributes['cloudflare.alarm.retry_count']).toBe(info.retryCount);
    if (typeof info.scheduledTime === 'number') {
      expect(alarm.attributes['faas.time']).toBe(new Date(info.scheduledTime).toISOString());
      expect(alarm.attributes['cloudflare.scheduled_time']).toBe(info.scheduledTime);
    } else expect(alarm.attributes['faas.time']).toBeUndefined();
  });

  test('a frozen binding (KV, service): its read-only methods are answered as they are, untraced and reported (the Proxy invariant threw a TypeError into the request)', async () => {
    expect(await get('/frozen')).toEqual({ frozen: { a: 'v', b: null, svc: 'svc http://svc/' } });
    expect(await get('/frozen')).toEqual({ frozen: { a: 'v', b: null, svc: 'svc http://svc/' } });
    const { spans, diagnostics } = await dumpUntil((d) => d.spans.filter((s) => s.attributes['url.path'] === '/frozen').length >= 2);
    const requests = spans.filter((s) => s.attributes['url.path'] === '/frozen');
    for (const r of requests) expect(r.status.code).toBe(0);
    expect(spans.filter((s) => s.kind === 3 && (s.name.includes('FROZEN') || s.attributes['server.address'] === 'svc'))).toEqual([]);
    // Reported once, however many requests and methods.
    expect(diagnostics.filter((d) => d.includes('read-only'))).toHaveLength(1);
  });
});
