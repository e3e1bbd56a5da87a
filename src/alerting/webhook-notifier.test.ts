import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHold, type Hold } from '../../runtimes/test-support/hold.js';
import { HealthCheckRegistry } from '../health/registry.js';
import { HealthStatus } from '../health/status.js';
import { SLOMonitor } from '../slo/slo-monitor.js';
import type { Alert } from './notifier.js';
import { webhookNotifier, type WebhookPayload } from './webhook-notifier.js';

let server: Server;
let base = '';
let received: { path: string; headers: Record<string, unknown>; body: WebhookPayload }[] = [];
/** When set, the receiver answers nothing until it is released (the post is recorded when it arrives). */
let hold: Hold | undefined;
let statusCode = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(data) as WebhookPayload });
      void (hold ?? createHold(false)).wait().then(() => {
        res.statusCode = statusCode;
        res.end('ok');
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  received = [];
  hold?.release();
  hold = undefined;
  statusCode = 200;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('webhookNotifier against a local receiver', () => {
  it('health: one post when a check goes UNHEALTHY however often it is checked, one on recovery', async () => {
    const notifier = webhookNotifier({ url: `${base}/alerts`, headers: { authorization: 'Bearer t0k' }, minIntervalSeconds: 0 });
    let up = true;
    const health = new HealthCheckRegistry({ notifier });
    health.register('database', () => {
      if (!up) throw new Error('connection refused');
    });
    await health.checkAll();
    up = false;
    for (let i = 0; i < 5; i++) await health.checkAll();
    await notifier.flush!();
    up = true;
    await health.checkAll();
    await health.checkAll();
    await notifier.flush!();
    expect(received.map((r) => [r.path, r.body.key, r.body.state, r.body.severity])).toEqual([
      ['/alerts', 'health:database', 'firing', 'critical'],
      ['/alerts', 'health:database', 'resolved', 'critical'],
    ]);
    expect(received[0].headers.authorization).toBe('Bearer t0k');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].body.summary).toContain('connection refused');
    expect(received[0].body.details).toMatchObject({ status: HealthStatus.UNHEALTHY, error: 'connection refused' });
    expect(new Date(received[0].body.time).toISOString()).toBe(received[0].body.time);
  });

  it('a content-type given in headers, in any case, replaces application/json instead of being joined to it', async () => {
    for (const name of ['Content-Type', 'content-type']) {
      received = [];
      const notifier = webhookNotifier({ url: base, headers: { [name]: 'application/json; charset=utf-8' }, minIntervalSeconds: 0 });
      notifier.notify({ source: 'health', key: 'health:ct', name: 'ct', state: 'firing', severity: 'warning', summary: 's', time: Date.now() });
      await notifier.flush!();
      expect(received.map((r) => r.headers['content-type'])).toEqual(['application/json; charset=utf-8']);
    }
  });

  it('rate limit: a flap inside minIntervalSeconds collapses; a lasting change is sent when the interval ends', async () => {
    // A 1 s interval and sleeps well inside and past it: a loaded machine's stalls stay inside the margins.
    const notifier = webhookNotifier({ url: base, minIntervalSeconds: 1 });
    const a = (state: Alert['state'], key = 'health:x'): Alert => ({ source: 'health', key, name: 'x', state, severity: 'warning', summary: state, time: Date.now() });
    notifier.notify(a('firing'));
    notifier.notify(a('firing')); // duplicate
    notifier.notify(a('resolved')); // held
    notifier.notify(a('firing')); // back to what was sent: the flap collapses
    notifier.notify(a('firing', 'health:y')); // another key is not limited
    await sleep(1300);
    await notifier.flush!();
    expect(received.map((r) => [r.body.key, r.body.state])).toEqual([
      ['health:x', 'firing'],
      ['health:y', 'firing'],
    ]);
    notifier.notify(a('resolved'));
    notifier.notify(a('resolved'));
    await notifier.flush!();
    expect(received.length).toBe(3);
    notifier.notify(a('firing')); // within 1 s of the last post: held, then sent
    await sleep(100);
    expect(received.length).toBe(3);
    await sleep(1300);
    await notifier.flush!();
    expect(received.map((r) => r.body.state)).toEqual(['firing', 'firing', 'resolved', 'firing']);
  });

  it('never blocks or fails the caller: a slow receiver, a 500, an unreachable URL', async () => {
    // The receiver answers nothing until released. The post can then end only by that answer or
    // by the notifier's 10 s timeout (reported to onError): a report that comes back while neither
    // has happened did not wait for the post.
    hold = createHold();
    const errors: unknown[] = [];
    const slow = webhookNotifier({ url: base, onError: (e) => errors.push(e) });
    const health = new HealthCheckRegistry({ notifier: slow });
    health.register('q', () => false);
    const report = await health.checkAll();
    expect(report.status).toBe(HealthStatus.UNHEALTHY);
    expect(hold.held).toBe(true);
    expect(errors, 'the post was still in flight when the report came back').toEqual([]);
    hold.release();
    await slow.flush!();
    expect(received.length).toBe(1);
    expect(errors).toEqual([]); // answered once released: delivered

    statusCode = 500;
    const failing = webhookNotifier({ url: base, onError: (e) => errors.push(e) });
    failing.notify({ source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time: Date.now() });
    await failing.flush!();
    const unreachable = webhookNotifier({ url: 'http://127.0.0.1:9/', timeoutSeconds: 2, onError: (e) => errors.push(e) });
    expect(() => unreachable.notify({ source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time: Date.now() })).not.toThrow();
    await unreachable.flush!();
    expect(errors.length).toBe(2);
    expect(String(errors[0])).toContain('HTTP 500');
  });

  it('a firing state whose post failed (500, then unreachable) is not counted as sent: it is posted again, with no loop while the receiver stays down (DESIGN §5)', async () => {
    const errors: unknown[] = [];
    const notifier = webhookNotifier({ url: base, minIntervalSeconds: 0, onError: (e) => errors.push(e) });
    const health = new HealthCheckRegistry({ notifier });
    let up = false;
    health.register('database', () => up);
    statusCode = 500;
    await health.checkAll();
    await notifier.flush!();
    expect(errors.map(String)).toEqual(['Error: webhook answered HTTP 500']);
    statusCode = 200;
    await health.checkAll(); // still down: the registry does not notify again
    await notifier.flush!();
    expect(received.map((r) => [r.body.key, r.body.state])).toEqual([
      ['health:database', 'firing'], // the 500
      ['health:database', 'firing'], // the retry, accepted
    ]);
    up = true;
    await health.checkAll();
    await notifier.flush!();
    expect(received.map((r) => r.body.state)).toEqual(['firing', 'firing', 'resolved']);

    // A receiver that stays unreachable: each failure is reported, with no loop between notifies.
    const down = webhookNotifier({ url: 'http://127.0.0.1:9/', minIntervalSeconds: 0, onError: (e) => errors.push(e) });
    const a = (state: Alert['state']): Alert => ({ source: 'slo', key: 'k', name: 'n', state, severity: 'critical', summary: 's', time: Date.now() });
    down.notify(a('firing'));
    await down.flush!();
    await sleep(100);
    expect(errors.length).toBe(2); // the retry waits at least 1 s
    await down.flush!(); // an explicit flush retries at once

    expect(errors.length).toBe(3);
  });

  it('a redirect is not followed (a 302 would turn the POST into a bodyless GET): each 3xx is reported as not delivered (DESIGN §5)', async () => {
    const seen: string[] = [];
    const mover = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(`${req.method} ${req.url}`);
        if (req.url === '/v2') return res.end('ok');
        res.statusCode = Number(req.url!.slice(1));
        res.setHeader('location', '/v2');
        res.end();
      });
    });
    await new Promise<void>((r) => mover.listen(0, '127.0.0.1', r));
    const at = `http://127.0.0.1:${(mover.address() as AddressInfo).port}`;
    try {
      for (const code of [301, 302, 303, 307, 308]) {
        const errors: unknown[] = [];
        const n = webhookNotifier({ url: `${at}/${code}`, minIntervalSeconds: 0, onError: (e) => errors.push(e) });
        n.notify({ source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time: Date.now() });
        await n.flush!();
        expect([code, errors.map(String)]).toEqual([code, [expect.stringMatching(new RegExp(`redirect \\(HTTP ${code} to http://127\\.0\\.0\\.1:\\d+/v2\\).*not delivered`))]]);
      }
      // No redirect followed (nothing reached /v2); a retry of an undelivered post may land late.
      expect([...new Set(seen)]).toEqual(['POST /301', 'POST /302', 'POST /303', 'POST /307', 'POST /308']);
    } finally {
      await new Promise<void>((r) => mover.close(() => r()));
    }
  });

  it('one post per key at a time: a change made while a post is in flight waits for it, so the receiver never sees resolved before firing', async () => {
    // The first post's connection is slow (a TLS handshake, a congested link): a resolve sent
    // beside it would arrive first and leave the receiver believing the alert is firing.
    let calls = 0;
    const slowFirst: typeof fetch = async (input, init) => {
      if (calls++ === 0) await sleep(300);
      return fetch(input, init);
    };
    const notifier = webhookNotifier({ url: base, minIntervalSeconds: 0, fetch: slowFirst });
    const a = (state: Alert['state']): Alert => ({ source: 'slo', key: 'slo:x:page', name: 'x', state, severity: 'critical', summary: state, time: Date.now() });
    notifier.notify(a('firing'));
    notifier.notify(a('resolved'));
    await sleep(50);
    notifier.notify(a('firing')); // still in flight: the latest change replaces the waiting one
    notifier.notify(a('resolved'));
    await notifier.flush!();
    expect(received.map((r) => r.body.state)).toEqual(['firing', 'resolved']);
    expect(calls).toBe(2);
  });

  it('a post that never ends (its abort never ran, as in a Worker whose request is gone) holds its key only until its timeout and a second more', async () => {
    let calls = 0;
    const never: typeof fetch = (input, init) => (calls++ === 0 ? new Promise<Response>(() => {}) : fetch(input, init));
    const notifier = webhookNotifier({ url: base, minIntervalSeconds: 0, timeoutSeconds: 0.05, fetch: never });
    const a = (state: Alert['state']): Alert => ({ source: 'slo', key: 'slo:x:page', name: 'x', state, severity: 'critical', summary: state, time: Date.now() });
    notifier.notify(a('firing'));
    notifier.notify(a('resolved')); // waits for the post in flight
    expect(calls).toBe(1);
    await sleep(1200);
    notifier.notify(a('resolved')); // the first post is given up: the change goes
    expect(calls).toBe(2);
    await sleep(200);
    expect(received.map((r) => r.body.state)).toEqual(['resolved']);
  });

  it('SLO burn-rate alerts start and stop firing through the webhook', async () => {
    let t = 1_700_000_000_000;
    const notifier = webhookNotifier({ url: base, minIntervalSeconds: 0 });
    const slos = new SLOMonitor({ slos: [{ name: 'checkout', target: 99.9, windowSeconds: 30 * 86400 }], clock: () => t, notifier });
    for (let i = 0; i < 50; i++) {
      t += 100;
      slos.recordObservation('checkout', i % 5 !== 0);
    }
    t += 31 * 86400 * 1000;
    slos.status('checkout');
    await notifier.flush!();
    expect(received.map((r) => [r.body.key, r.body.state])).toEqual([
      ['slo:checkout:page', 'firing'],
      ['slo:checkout:ticket', 'firing'],
      ['slo:checkout:page', 'resolved'],
      ['slo:checkout:ticket', 'resolved'],
    ]);
    expect(received[0].body.source).toBe('slo');
  });

  it('rejects a malformed URL at construction', () => {
    expect(() => webhookNotifier({ url: 'not a url' })).toThrow();
  });

  it('a URL fetch would refuse, or a header it would refuse, throws at construction naming the option, never the secret (DESIGN §5)', () => {
    // These used to be accepted and then fail every post (reported to onError, retried for ever).
    for (const url of ['localhost:8080/alerts', 'ftp://example.com/x', 'not a url']) {
      expect(() => webhookNotifier({ url })).toThrow(/webhookNotifier: url must be an absolute http:\/\/ or https:\/\/ URL/);
    }
    expect(() => webhookNotifier({ url: 'https://user:s3cret@example.com/x' })).toThrow(/url must not contain credentials/);
    expect(() => webhookNotifier({ url: 'https://user:s3cret@example.com/x' })).not.toThrow(/s3cret/);
    expect(() => webhookNotifier({ url: base, headers: { 'bad header': 'x' } })).toThrow(/header "bad header"/);
    expect(() => webhookNotifier({ url: base, headers: { authorization: 'Bearer t0k\nX: y' } })).toThrow(/header "authorization" has an invalid name or value/);
    expect(() => webhookNotifier({ url: base, headers: { authorization: 'Bearer t0k\nX: y' } })).not.toThrow(/t0k/);
    expect(() => webhookNotifier({ url: base, headers: { 'x-n': 5 as unknown as string } })).toThrow(/header "x-n"/);
    expect(() => webhookNotifier({ url: 'https://hooks.example.com/alerts?token=a', headers: { authorization: 'Bearer t0k' } })).not.toThrow();
  });

  it('no options object, or a fetch, waitUntil or onError that is no function, throws at construction naming it (DESIGN §5)', () => {
    // An onError that is no function threw inside the failure handler: every failed post went unreported, not even printed.
    expect(() => webhookNotifier(undefined as never)).toThrow(/^webhookNotifier: options must be an object such as \{ url: /);
    for (const name of ['fetch', 'waitUntil', 'onError']) {
      expect(() => webhookNotifier({ url: base, [name]: 'yes' } as never)).toThrow(new RegExp(`^webhookNotifier: ${name} must be a function, got string$`));
      expect(() => webhookNotifier({ url: base, [name]: undefined } as never)).not.toThrow();
    }
  });

  it('a misspelled option throws listing the known ones, instead of leaving its default in force', () => {
    expect(() => webhookNotifier({ url: base, minIntervalSecond: 5 } as never)).toThrow(
      /^webhookNotifier: unknown option `minIntervalSecond`; known options are url, headers, fetch, minIntervalSeconds, timeoutSeconds, waitUntil, onError\.$/,
    );
  });

  it('without onError a failed post is not silent: the first failure of a key is printed, with its cause, once until a post gets through', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const firing = { source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time: Date.now() } as const;
      const n = webhookNotifier({ url: 'http://127.0.0.1:9/alerts?token=s3cret', minIntervalSeconds: 0 });
      n.notify(firing);
      await n.flush!();
      await n.flush!(); // the retry fails too: not printed again
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[lexigram\/monitor\] webhookNotifier: the alert "k" \(firing\) was not delivered \(fetch failed: .+\); it is posted again later$/);
      expect(lines[0]).not.toContain('s3cret');
    } finally {
      warn.mockRestore();
    }
  });

  it("a runtime's error that names the URL (Deno: error sending request for url (…)) shows only its host: a webhook's path is often its secret (Slack, Discord)", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const url = 'https://hooks.slack.com/services/T0ABC/B0DEF/XyZs3cretPath?token=q';
      const cause = new Error(`error sending request for url (${url}): client error (Connect): dns error`);
      const fetch = (() => Promise.reject(new TypeError('fetch failed', { cause }))) as typeof globalThis.fetch;
      const n = webhookNotifier({ url, fetch, minIntervalSeconds: 0 });
      n.notify({ source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time: Date.now() });
      await n.flush!();
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('(fetch failed: error sending request for url (https://hooks.slack.com/…): client error (Connect): dns error)');
      expect(lines[0]).not.toMatch(/XyZs3cretPath|T0ABC|token/);
    } finally {
      warn.mockRestore();
    }
  });

  it('timeoutSeconds 0, negative or NaN is refused at construction, naming the option (DESIGN §5); a huge one is clamped', async () => {
    for (const timeoutSeconds of [0, -1, NaN]) {
      expect(() => webhookNotifier({ url: base, timeoutSeconds })).toThrow(/timeoutSeconds/);
    }
    const errors: unknown[] = [];
    const n = webhookNotifier({ url: base, timeoutSeconds: 40 * 86400, minIntervalSeconds: 0, onError: (e) => errors.push(e) });
    n.notify({ source: 'slo', key: 'k', name: 'n', state: 'firing', severity: 'critical', summary: 's', time: Date.now() });
    await n.flush!();
    expect([received.length, errors]).toEqual([1, []]);
  });
});

describe('webhookNotifier: held alerts without timers (Workers)', () => {
  const a = (state: Alert['state']): Alert => ({ source: 'slo', key: 'slo:x', name: 'x', state, severity: 'critical', summary: state, time: Date.now() });

  it('a held change is sent by the next notify after the interval ends, when its timer never fired', async () => {
    // Timers frozen: as in an idle Worker isolate, the hold timer does not run.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const waited: Promise<unknown>[] = [];
    try {
      // 1 s: the first post (a local one) is answered well inside it.
      const notifier = webhookNotifier({ url: base, minIntervalSeconds: 1, waitUntil: (p) => waited.push(p) });
      const sent = performance.now();
      notifier.notify(a('firing'));
      await waited[0]; // answered: a change never goes beside a post in flight for its key
      notifier.notify(a('resolved')); // held: inside the interval
      expect(waited).toHaveLength(1);
      const until = sent + 1100;
      while (performance.now() < until) await Promise.resolve();
      notifier.notify({ ...a('firing'), key: 'slo:other' }); // another request's notify releases it
      expect(waited).toHaveLength(3);
    } finally {
      // The receiver in this process answers through setTimeout.
      vi.useRealTimers();
    }
    await Promise.all(waited);
    expect(received.map((r) => [r.body.key, r.body.state])).toEqual(
      expect.arrayContaining([
        ['slo:x', 'firing'],
        ['slo:x', 'resolved'],
        ['slo:other', 'firing'],
      ]),
    );
    expect(received).toHaveLength(3);
  });

  it('flush() sends a held change at once instead of dropping it', async () => {
    const notifier = webhookNotifier({ url: base, minIntervalSeconds: 3600 });
    notifier.notify(a('firing'));
    notifier.notify(a('resolved')); // held for an hour
    await notifier.flush!();
    expect(received.map((r) => r.body.state)).toEqual(['firing', 'resolved']);
  });
});
