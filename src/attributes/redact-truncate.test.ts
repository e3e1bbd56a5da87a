import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { SpanStatus } from '../model/span-data.js';

// A value longer than the length limit is redacted whole, then cut: cut first, a URL's `@` (or
// another marker) past the cut is gone, the redactor no longer sees credentials, and the part
// of the password before the cut was exported.
const LIMIT = 40;
const PW = 'hunter2hunter2hunter2hunter2hunter2';
/** Each value cut at LIMIT ends inside PW, before the `@` or marker that tells it is one. */
const CASES: [key: string, value: string][] = [
  ['url.full', `https://bob:${PW}@example.com/x`],
  ['http.url', `//bob:${PW}@example.com/x`],
  ['database_url', `postgres://bob:${PW}@db:5432/app`],
  ['db.connection_string', `redis://:${PW}@cache:6379`],
  ['exception.message', `fetch failed: https://bob:${PW}@example.com/x`],
  ['http.request.header.referer', `https://bob:${PW}@example.com/x`],
];
const leaked = (v: unknown): boolean => JSON.stringify(v).includes(PW.slice(0, 8));

describe('a value over the length limit is redacted before it is cut', () => {
  it('span attributes: setAttribute, setAttributes, start options, events, links, string[] values', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: LIMIT } });
    const link = { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }, attributes: Object.fromEntries(CASES) };
    const span = monitor.tracer.startSpan('s', { attributes: { 'url.original': `https://bob:${PW}@example.com/` }, links: [link] });
    for (const [k, v] of CASES) span.setAttribute(k, v);
    span.setAttributes({ 'http.request.url': `https://bob:${PW}@example.com/` });
    span.setAttribute('http.request.header.location', [`https://bob:${PW}@example.com/`]);
    span.addEvent('e', Object.fromEntries(CASES));
    span.end();
    await monitor.flush();
    const [s] = memory.spans;
    expect(s!.attributes['url.full']).toBe('https://REDACTED:REDACTED@example.com/x');
    expect(s!.attributes['url.original']).toBe('https://REDACTED:REDACTED@example.com/');
    expect(s!.attributes['http.request.header.location']).toEqual(['https://REDACTED:REDACTED@example.com/']);
    for (const attrs of [s!.attributes, s!.events[0]!.attributes, s!.links[0]!.attributes]) {
      expect(Object.keys(attrs).length).toBeGreaterThan(0);
      for (const k of Object.keys(attrs)) expect(leaked(attrs[k]), `${k}: ${JSON.stringify(attrs[k])}`).toBe(false);
    }
  });

  it('an object or a mixed array written as text under a URL-like key', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: LIMIT } });
    const span = monitor.tracer.startSpan('s');
    span.setAttribute('database_url', { toJSON: () => `postgres://bob:${PW}@db/app` });
    span.setAttribute('url.full', [`https://bob:${PW}@example.com/`, 1]);
    span.end();
    await monitor.flush();
    const a = memory.spans[0]!.attributes;
    expect(leaked(a['database_url'])).toBe(false);
    expect(leaked(a['url.full'])).toBe(false);
  });

  it('recordException and status messages (the status message was redacted first already)', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: LIMIT } });
    const span = monitor.tracer.startSpan('s');
    const err = new Error(`request to https://bob:${PW}@example.com/ failed`);
    err.stack = `Error: request to https://bob:${PW}@example.com/ failed\n    at x (file.js:1:1)`;
    span.recordException(err);
    span.setStatus(SpanStatus.ERROR, `https://bob:${PW}${'x'.repeat(5000)}@example.com/`);
    span.end();
    await monitor.flush();
    const s = memory.spans[0]!;
    expect(leaked(s.events[0]!.attributes)).toBe(false);
    expect(leaked(s.status.message)).toBe(false);
  });

  it('log attributes, at the top level and nested in maps and lists', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { logAttributeValueLengthLimit: LIMIT } });
    monitor.logger.info('m', Object.fromEntries(CASES));
    monitor.logger.info('n', { request: { 'url.full': `https://bob:${PW}@example.com/x`, database_url: [`postgres://bob:${PW}@db/app`] } });
    monitor.logger.info('o', { database_url: [[`postgres://bob:${PW}@db/app`]] });
    const err = new Error(`request to https://bob:${PW}@example.com/ failed`);
    monitor.logger.error(err, err);
    monitor.logger.info('p', { 'url.full': new URL(`https://bob:${PW}@example.com/x`) });
    await monitor.flush();
    expect(memory.logs).toHaveLength(5);
    for (const l of memory.logs) {
      expect(leaked(l.attributes), JSON.stringify(l.attributes)).toBe(false);
      expect(leaked(l.body), JSON.stringify(l.body)).toBe(false);
    }
    expect(memory.logs[0]!.attributes['url.full']).toBe('https://REDACTED:REDACTED@example.com/x');
  });

  it('values under the limit are kept as given, and a cut is still counted', async () => {
    const { monitor, memory } = createTestMonitor({ limits: { attributeValueLengthLimit: LIMIT } });
    const span = monitor.tracer.startSpan('s');
    span.setAttribute('url.full', 'https://example.com/' + 'a'.repeat(100));
    span.setAttribute('url.path', '/' + 'b'.repeat(100));
    span.end();
    await monitor.flush();
    const a = memory.spans[0]!.attributes;
    expect(a['url.full']).toBe(('https://example.com/' + 'a'.repeat(100)).slice(0, LIMIT));
    expect(a['url.path']).toBe(('/' + 'b'.repeat(100)).slice(0, LIMIT));
    const dropped = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total')!;
    expect(Object.fromEntries(dropped.points.map((p) => [p.attributes.reason, (p as { value: number }).value]))).toEqual({ attribute_truncated: 2 });
  });
});
