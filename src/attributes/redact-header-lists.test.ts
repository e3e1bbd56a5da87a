/**
 * Header lists whose names are indexes: entry lists (`[['Authorization', 'Bearer …']]`, as
 * `new Headers(init)` and `Object.entries` take them) and Node's flat `rawHeaders`
 * (`['Authorization', 'Bearer …', 'Host', 'h']`) lose their secret values in spans and logs;
 * flat lists of words under other names are no header lists and are kept.
 */
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { createRedactor, DEFAULT_REDACT_FIELDS } from './redact.js';

const raw = ['Host', 'app.example', 'Authorization', 'Bearer RAW-planted', 'Cookie', 'sid=COOKIE-planted', 'Accept', '*/*'];
const entries = [
  ['host', 'app.example'],
  ['authorization', 'Bearer PAIR-planted'],
  ['x-api-key', 'KEY-planted'],
  ['set-cookie', ['a=SC1-planted', 'b=SC2-planted']],
];
const rawOut = ['Host', 'app.example', 'Authorization', '[REDACTED]', 'Cookie', '[REDACTED]', 'Accept', '*/*'];
const entriesOut = [
  ['host', 'app.example'],
  ['authorization', '[REDACTED]'],
  ['x-api-key', '[REDACTED]'],
  ['set-cookie', ['[REDACTED]']],
];

describe('header lists whose names are indexes', () => {
  it('span attributes: an entry list under any name and rawHeaders under a name ending in headers are redacted as they are set', async () => {
    const { monitor, memory } = createTestMonitor();
    const span = monitor.tracer.startSpan('s', { attributes: { 'http.request.raw_headers': raw } });
    span.setAttribute('request.headers', entries);
    span.setAttribute('init', entries);
    span.setAttributes({ rawHeaders: raw });
    span.addEvent('e', { rawHeaders: raw, req: { rawHeaders: raw, headers: entries } as never });
    span.end();
    await monitor.flush();
    const s = memory.spans[0]!;
    expect(s.attributes['http.request.raw_headers']).toEqual(rawOut);
    expect(s.attributes.rawHeaders).toEqual(rawOut);
    // An entry list is no homogeneous array: each entry is written as text, after redaction.
    expect(s.attributes['request.headers']).toEqual(entriesOut.map((e) => JSON.stringify(e)));
    expect(s.attributes.init).toEqual(entriesOut.map((e) => JSON.stringify(e)));
    expect(s.events[0]!.attributes.rawHeaders).toEqual(rawOut);
    expect(JSON.parse(s.events[0]!.attributes.req as string)).toEqual({ rawHeaders: rawOut, headers: entriesOut });
    expect(JSON.stringify(memory.spans)).not.toMatch(/planted/);
    // The caller's arrays are not changed.
    expect(raw[3]).toBe('Bearer RAW-planted');
    expect(entries[1]![1]).toBe('Bearer PAIR-planted');
  });

  it('log attributes: entry lists and rawHeaders at any depth, and either given as the attributes themselves', async () => {
    const { monitor, memory } = createTestMonitor();
    monitor.logger.info('nested', { rawHeaders: raw, req: { headers: entries, raw_headers: raw } });
    monitor.logger.info('entries', entries as never);
    monitor.logger.info('raw', raw as never);
    await monitor.flush();
    const [nested, asEntries, asRaw] = memory.logs.map((l) => l.attributes);
    expect(nested).toEqual({ rawHeaders: rawOut, req: { headers: entriesOut, raw_headers: rawOut } });
    expect(asEntries).toEqual({ ...entriesOut });
    expect(asRaw).toEqual({ ...rawOut });
    expect(JSON.stringify(memory.logs)).not.toMatch(/planted/);
  });

  it('ordinary lists are kept: flat word lists under other names, entries with names that hold no secret, lists of other shapes', async () => {
    const { monitor, memory } = createTestMonitor();
    const kept = {
      tags: ['password', 'reset', 'token', 'expired'],
      'search.terms': ['cookie', 'recipe'],
      odd_headers: ['Authorization', 'Bearer x', 'Host'],
      counts: [['token_count', 3], ['password_required', true]],
      triples: [['authorization', 'a', 'b']],
      keys: [['key', 'users:1'], ['signature', 'abc']],
      points: [[1, 2], [3, 4]],
    };
    const span = monitor.tracer.startSpan('s', { attributes: kept as never });
    span.end();
    monitor.logger.info('kept', kept);
    await monitor.flush();
    expect(memory.logs[0]!.attributes).toEqual(kept);
    const a = memory.spans[0]!.attributes;
    expect(a.tags).toEqual(kept.tags);
    expect(a['search.terms']).toEqual(kept['search.terms']);
    expect(a.odd_headers).toEqual(kept.odd_headers);
    expect(a.counts).toEqual(kept.counts.map((e) => JSON.stringify(e)));
    expect(a.keys).toEqual(kept.keys.map((e) => JSON.stringify(e)));
  });

  it('apply: the same rules on their own, and none with redactDefaults off unless the name is listed', () => {
    const r = createRedactor(DEFAULT_REDACT_FIELDS);
    expect(r.apply('rawHeaders', raw)).toEqual(rawOut);
    expect(r.apply('list', raw)).toBe(raw);
    expect(r.apply('x', entries)).toEqual(entriesOut);
    const none = createRedactor([], false);
    expect(none.apply('rawHeaders', raw)).toBe(raw);
    expect(none.apply('x', entries)).toBe(entries);
    const own = createRedactor(['x-tenant-secret'], false);
    expect(own.apply('x', [['X-Tenant-Secret', 's'], ['authorization', 'a']])).toEqual([['X-Tenant-Secret', '[REDACTED]'], ['authorization', 'a']]);
  });
});

describe('flat header lists: only header-like names count', () => {
  it('a value that reads as words is no name: entries written as text under a headers key, and prose, are kept', () => {
    const r = createRedactor(DEFAULT_REDACT_FIELDS);
    const text = ['["host","h"]', '["x-api-key","[REDACTED]"]', 'my api key', 'is here'];
    expect(r.apply('request.headers', text)).toBe(text);
  });
});
