import { describe, expect, it } from 'vitest';
import { parseTraceparent, formatTraceparent } from './traceparent.js';
import { limitTracestate, parseTracestate } from './tracestate.js';
import { parseBaggage, formatBaggage } from './baggage.js';
import { extractContext, injectContext } from './propagation.js';
import type { Diagnostic } from '../../model/batch.js';
import { createTestMonitor } from '../../testing/index.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const VALID = `00-${T}-${S}-01`;

describe('traceparent (W3C trace-context test.py cases)', () => {
  it('TC-01: parses a valid header', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: T, spanId: S, traceFlags: 1 });
    expect(formatTraceparent(T, S, 1)).toBe(VALID);
  });
  it('TC-02: rejects upper-case hex, all-zero ids and wrong lengths', () => {
    expect(parseTraceparent(VALID.toUpperCase())).toBeUndefined();
    expect(parseTraceparent(`00-${T.toUpperCase()}-${S}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${S}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${T}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${T.slice(1)}-${S}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${T}-${S}0-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${T}-${S}-1`)).toBeUndefined();
    expect(parseTraceparent(`00-${T}-${S}-0g`)).toBeUndefined();
    expect(parseTraceparent(`00_${T}-${S}-01`)).toBeUndefined();
  });
  it('TC-03: version ff and non-hex versions are invalid', () => {
    expect(parseTraceparent(`ff-${T}-${S}-01`)).toBeUndefined();
    expect(parseTraceparent(`0x-${T}-${S}-01`)).toBeUndefined();
    expect(parseTraceparent(`0-${T}-${S}-01`)).toBeUndefined();
  });
  it('TC-04: version 00 with trailing data is invalid', () => {
    expect(parseTraceparent(`${VALID}.`)).toBeUndefined();
    expect(parseTraceparent(`${VALID}-what-the-future-will-be-like`)).toBeUndefined();
  });
  it('TC-05: a higher version parses the known fields and ignores extra ones', () => {
    expect(parseTraceparent(`cc-${T}-${S}-01`)).toEqual({ traceId: T, spanId: S, traceFlags: 1 });
    expect(parseTraceparent(`cc-${T}-${S}-01-what-the-future-will-be-like`)).toEqual({ traceId: T, spanId: S, traceFlags: 1 });
    expect(parseTraceparent(`cc-${T}-${S}-01.what`)).toBeUndefined();
    expect(parseTraceparent(`cc-${T}-${S}`)).toBeUndefined();
  });
  it('TC-06: flags are a bit field; only sampled and random are sent', () => {
    expect(parseTraceparent(`00-${T}-${S}-03`)!.traceFlags & 1).toBe(1);
    expect(parseTraceparent(`00-${T}-${S}-02`)!.traceFlags & 1).toBe(0);
    expect(formatTraceparent(T, S, 0xff)).toBe(`00-${T}-${S}-03`);
  });
  it('TC-08: tolerates surrounding whitespace, rejects duplicated headers', () => {
    expect(parseTraceparent(`  ${VALID}\t`)).toBeDefined();
    expect(extractContext({ traceparent: [VALID, VALID] })).toBeUndefined();
    const h = new Headers();
    h.append('traceparent', VALID);
    h.append('traceparent', VALID);
    expect(extractContext(h)).toBeUndefined();
    expect(extractContext({ TraceParent: VALID })?.traceId).toBe(T);
  });
  it('rejects a 100 KB header without parsing it', () => {
    expect(parseTraceparent(VALID + 'x'.repeat(100_000))).toBeUndefined();
  });
});

describe('tracestate', () => {
  it('TS-01/TS-03/TS-04: keeps valid lists, accepts tenant@system keys and empty members', () => {
    expect(parseTracestate('foo=1,bar=2')).toBe('foo=1,bar=2');
    expect(parseTracestate('foo=1, ,bar=2')).toBe('foo=1,bar=2');
    expect(parseTracestate('tenant@system=v')).toBe('tenant@system=v');
    expect(parseTracestate('')).toBeUndefined();
  });
  it('invalid keys, values or duplicated keys invalidate the header (TS-05)', () => {
    expect(parseTracestate('Foo=1')).toBeUndefined();
    expect(parseTracestate('foo=1,foo=2')).toBeUndefined();
    expect(parseTracestate('foo=a,b')).toBeUndefined();
    expect(parseTracestate('foo=b\u0001r')).toBeUndefined();
    expect(parseTracestate('foo=bar ')).toBe('foo=bar'); // trailing OWS belongs to the list, not the value
    expect(parseTracestate('foo=' + 'x'.repeat(257))).toBeUndefined();
  });
  it('TS-01: a received tracestate of more than 32 members is discarded (test_tracestate_member_count_limit)', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${String(i + 1).padStart(2, '0')}`).join(',');
    expect(parseTracestate(members(32))!.split(',')).toHaveLength(32);
    expect(parseTracestate(members(33))).toBeUndefined();
    expect(parseTracestate(members(40))).toBeUndefined();
    // Empty members do not count.
    expect(parseTracestate(members(32) + ',,')!.split(',')).toHaveLength(32);
    // The traceparent is still continued; only the tracestate is dropped, and none is sent on.
    const ctx = extractContext({ traceparent: VALID, tracestate: members(33) })!;
    expect(ctx.traceId).toBe(T);
    expect(ctx.traceState).toBeUndefined();
    expect(injectContext({} as Record<string, string>, { spanContext: () => ({ ...ctx, spanId: S, isRemote: false }) } as never).tracestate).toBeUndefined();
  });
  it('TS-02: a key added to a full list (put first) drops the right-most member', () => {
    const full = Array.from({ length: 32 }, (_, i) => `k${i}=v${i}`).join(',');
    const out = limitTracestate('mine=1,' + full)!.split(',');
    expect(out).toHaveLength(32);
    expect(out[0]).toBe('mine=1');
    expect(out[31]).toBe('k30=v30');
    expect(limitTracestate(full)).toBe(full);
    // Still validated: a later duplicate of a key (the left-most is the newest) or a malformed member is left out, the rest kept.
    expect(limitTracestate('mine=1,mine=2')).toBe('mine=1');
    expect(limitTracestate('Mine=1,x=2')).toBe('x=2');
  });
  it('TC-09: tracestate without a valid traceparent is discarded', () => {
    expect(extractContext({ tracestate: 'foo=1' })).toBeUndefined();
    expect(extractContext({ traceparent: VALID, tracestate: 'foo=1' })?.traceState).toBe('foo=1');
  });
  it('rejects a 100 KB header cheaply', () => {
    expect(parseTracestate('a=' + 'b'.repeat(100_000))).toBeUndefined();
  });
});

describe('baggage', () => {
  it('BG-01/BG-03: decodes values, keeps properties', () => {
    const b = parseBaggage('userId=alice, serverNode=DF%2028,isProduction=false;prop=1')!;
    expect(b.userId.value).toBe('alice');
    expect(b.serverNode.value).toBe('DF 28');
    expect(b.isProduction).toEqual({ value: 'false', metadata: 'prop=1' });
    expect(parseBaggage(formatBaggage(b))).toEqual(b);
  });
  it('BG-02: refuses headers over 8192 bytes and keeps at most 64 members', () => {
    expect(parseBaggage('k=' + 'v'.repeat(100_000))).toBeUndefined();
    const many = Array.from({ length: 100 }, (_, i) => `k${i}=v`).join(',');
    expect(Object.keys(parseBaggage(many)!)).toHaveLength(64);
  });
  it('invalid percent-encoding becomes U+FFFD rather than dropping the entry', () => {
    expect(parseBaggage('k=%E0%A4%A')!.k.value).toContain('\uFFFD');
  });
  it('BG-01: only the undecodable sequence becomes U+FFFD; valid escapes and a stray % are kept', () => {
    const b = parseBaggage('a=caf%C3%A9%FF,b=%E2%82%AC100%20EUR%C0,c=plain%20text%,d=50%25%zz,e=%E2%82')!;
    expect(b.a.value).toBe('café\uFFFD');
    expect(b.b.value).toBe('€100 EUR\uFFFD');
    expect(b.c.value).toBe('plain text%');
    expect(b.d.value).toBe('50%%zz');
    expect(b.e.value).toBe('\uFFFD');
  });
});

describe('inject / extract', () => {
  it('round-trips through Headers and plain objects', () => {
    const ctx = extractContext(new Headers({ traceparent: VALID, tracestate: 'a=1', baggage: 'k=v' }))!;
    expect(ctx).toMatchObject({ traceId: T, spanId: S, traceFlags: 1, traceState: 'a=1', isRemote: true });
    const out: Record<string, string> = {};
    injectContext(out, { ...ctx, baggage: ctx.baggage } as never);
    expect(out.traceparent).toBe(VALID);
    expect(out.tracestate).toBe('a=1');
    expect(out.baggage).toBe('k=v');
  });
  it('TC-08: injecting into a plain object replaces a header kept under another case', () => {
    const out: Record<string, string> = { Traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, TraceState: 'old=1', BAGGAGE: 'x=1', 'Content-Type': 'text/plain' };
    injectContext(out, { traceId: T, spanId: S, traceFlags: 1, traceState: 'a=1', baggage: { k: { value: 'v' } } } as never);
    expect(out).toEqual({ traceparent: VALID, tracestate: 'a=1', baggage: 'k=v', 'Content-Type': 'text/plain' });
    expect(new Headers(out).get('traceparent')).toBe(VALID);
  });
  it('TC-09: a new trace removes a stale tracestate from forwarded headers; its own tracestate replaces it', () => {
    const stale = { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, tracestate: 'caller=opaque', baggage: 'role=admin' };
    const h = injectContext(new Headers(stale), { traceId: T, spanId: S, traceFlags: 1 });
    expect([h.get('traceparent'), h.get('tracestate'), h.get('baggage')]).toEqual([VALID, null, 'role=admin']);
    const o = injectContext({ ...stale, TraceState: 'x=1' } as Record<string, string>, { traceId: T, spanId: S, traceFlags: 1 });
    expect(o).toEqual({ traceparent: VALID, baggage: 'role=admin' });
    const own = injectContext(new Headers(stale), { traceId: T, spanId: S, traceFlags: 1, traceState: 'a=1' });
    expect(own.get('tracestate')).toBe('a=1');
  });
  it('never throws on odd input', () => {
    expect(extractContext(null as never)).toBeUndefined();
    expect(extractContext({ traceparent: 42 as never })).toBeUndefined();
    expect(injectContext(Object.freeze({}) as never, { traceId: T, spanId: S, traceFlags: 1 })).toEqual({});
  });
});

describe('formatBaggage: a value with no UTF-8 form', () => {
  it('leaves that member out and keeps the others (a lone surrogate used to drop the whole header)', () => {
    expect(formatBaggage({ a: { value: 'x y' }, bad: { value: 'ok\uD800' }, c: { value: 'z' } })).toBe('a=x%20y,c=z');
  });
});

describe('baggage members left out are counted (hot-path drops, never thrown)', () => {
  function monitorWith() {
    const seen: Diagnostic[] = [];
    const t = createTestMonitor({ onDiagnostic: (d) => seen.push(d) });
    const dropped = (reason: string) => {
      const c = t.monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
      return c?.points.filter((p) => p.attributes.reason === reason).reduce((n, p) => n + (p as { value: number }).value, 0) ?? 0;
    };
    return { ...t, seen, dropped };
  }

  it('parsing: a member without "=", with an empty or non-token key is left out and counted; an empty list element is not a member', () => {
    const { monitor, dropped, seen } = monitorWith();
    const b = parseBaggage('a=1,novalue,=x,b@d=2, ,"q"=3,c=3', monitor.diag)!;
    expect(Object.keys(b)).toEqual(['a', 'c']);
    expect(dropped('invalid_value')).toBe(4);
    expect(seen.some((d) => d.kind === 'invalid_value' && /baggage/.test(d.message))).toBe(true);
  });

  it('parsing: members past 64, and a header over 8192 bytes, are counted', () => {
    const { monitor, dropped } = monitorWith();
    parseBaggage(Array.from({ length: 70 }, (_, i) => `k${i}=v`).join(','), monitor.diag);
    expect(dropped('invalid_value')).toBe(6);
    expect(parseBaggage('k=' + 'v'.repeat(9000), monitor.diag)).toBeUndefined();
    expect(dropped('invalid_value')).toBe(7);
  });

  it('extractContext counts with the diagnostics it is given', () => {
    const { monitor, dropped } = monitorWith();
    const ctx = extractContext({ traceparent: VALID, baggage: 'ok=1,bad' }, monitor.diag)!;
    expect(Object.keys(ctx.baggage!)).toEqual(['ok']);
    expect(dropped('invalid_value')).toBe(1);
  });

  it('formatting: a key that is not a token or a value with no UTF-8 form is left out and counted through the span\'s monitor', async () => {
    const { monitor, dropped } = monitorWith();
    expect(formatBaggage({ a: { value: 'x' }, 'b d': { value: 'y' }, c: { value: 'ok\uD800' } }, monitor.diag)).toBe('a=x');
    expect(dropped('invalid_value')).toBe(2);
    const parent = { traceId: T, spanId: S, traceFlags: 1, isRemote: true as const, baggage: { k: { value: 'v' }, 'bad key': { value: 'w' } } };
    const span = monitor.tracer.startSpan('client', { parent });
    const h = injectContext(new Headers(), span);
    span.end();
    expect(h.get('baggage')).toBe('k=v');
    expect(dropped('invalid_value')).toBe(3);
  });

  it('without diagnostics nothing changes and nothing throws', () => {
    expect(Object.keys(parseBaggage('a=1,bad,c=3')!)).toEqual(['a', 'c']);
    expect(formatBaggage({ 'b d': { value: 'y' }, a: { value: 'x' } })).toBe('a=x');
  });

  it('BG-03: with duplicate keys the last value wins, at the first one\'s position, as OpenTelemetry SDKs do; not counted', () => {
    const { monitor, dropped } = monitorWith();
    const b = parseBaggage('k=1,j=2,k=3', monitor.diag)!;
    expect(Object.keys(b)).toEqual(['k', 'j']);
    expect(b.k.value).toBe('3');
    expect(dropped('invalid_value')).toBe(0);
  });
});

describe('baggage from an incoming request', () => {
  it('members left out of an incoming baggage header are counted by the monitor serving it', async () => {
    const { handleRequest } = await import('../../http/handle-request.js');
    const t = createTestMonitor();
    const req = new Request('https://x.test/a', { headers: { traceparent: VALID, baggage: 'ok=1,broken,also=2' } });
    const res = await handleRequest(t.monitor, req, () => new Response('ok'), undefined);
    expect(res.status).toBe(200);
    const c = t.monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === 'lexigram_monitor_dropped_total');
    expect(c?.points.find((p) => p.attributes.reason === 'invalid_value')).toMatchObject({ value: 1 });
  });
});
