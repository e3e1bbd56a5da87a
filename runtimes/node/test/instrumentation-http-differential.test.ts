/**
 * Node adapter differential test: the same app (fixtures/http-differential-app.ts) runs in two
 * child processes, once under `@opentelemetry/instrumentation-http` 0.223.0 (SDK 2.12, a
 * CommonJS script that registers it before node:http is required) and once under this library
 * (`toNodeListener(instrument(handler))` and `instrumentListener(listener)`), each as a fetch
 * handler and as a plain node:http listener. The same requests are sent to both. The SERVER
 * spans (name, kind, status, trace and parent, attributes, exception events) and the
 * `http.server.request.duration` points are normalised and must be equal once the differences in
 * ACCEPTED are applied to the reference's; an accepted difference that no longer shows fails too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import { REMOTE, SCENARIOS } from './fixtures/http-differential-app.js';

type Attrs = Record<string, unknown>;
interface RawSpan {
  name: string;
  kind: number;
  status: { code: number; message?: string };
  traceId: string;
  traceState?: string;
  parentSpanId?: string;
  attributes: Attrs;
  events: Array<{ name: string; attributes?: Attrs }>;
}
interface RawRun {
  port: number;
  answers: string[];
  spans: RawSpan[];
  points: Array<{ attributes: Attrs; count: number }>;
}
type Mode = 'fetch' | 'listener';
type Output = Record<Mode, RawRun>;

/** One SERVER span, as both sides can say it. */
interface Norm {
  name: string;
  kind: string;
  status: string;
  /** Whether the status has a description (its text is the exception's message on both sides). */
  message: boolean;
  trace: 'incoming' | 'new';
  parent: 'incoming' | null;
  traceState?: string;
  attributes: Attrs;
  exceptions: string[];
}

const F = join(import.meta.dirname, 'fixtures');
let reference: Output;
let ours: Output;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-http-diff-'));
  const out = (f: string): string => join(dir, f);
  const cjs = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' } as const;
  await Promise.all([
    build({ ...cjs, entryPoints: [join(F, 'http-differential-app.ts')], outfile: out('app.cjs') }),
    build({ ...cjs, entryPoints: [join(import.meta.dirname, '../src/node-http.ts')], outfile: out('node-http.cjs') }),
    build({ ...cjs, format: 'esm', entryPoints: [join(F, 'http-differential-ours.ts')], outfile: out('ours.mjs') }),
  ]);
  const run = (args: string[]): Output => JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] })) as Output;
  reference = run([join(F, 'http-differential-reference.cjs'), out('app.cjs'), out('node-http.cjs')]);
  ours = run([out('ours.mjs')]);
}, 60_000);

const KIND: Record<string, Record<number, string>> = { reference: { 1: 'SERVER' }, ours: { 2: 'SERVER' } };

/** Ids, times and the ports each run picked are left out; what they are derived from is kept. */
function normalise(side: 'reference' | 'ours', s: RawSpan, port: number): Norm {
  const a: Attrs = { ...s.attributes };
  if (a['server.port'] === port) a['server.port'] = 'listening port';
  for (const k of ['client.port', 'network.peer.port']) if (typeof a[k] === 'number') a[k] = 'peer port';
  return {
    name: s.name,
    kind: KIND[side]![s.kind] ?? String(s.kind),
    status: ['UNSET', 'OK', 'ERROR'][s.status.code]!,
    message: !!s.status.message,
    trace: s.traceId === REMOTE.traceId ? 'incoming' : 'new',
    parent: s.parentSpanId === undefined ? null : s.parentSpanId === REMOTE.spanId ? 'incoming' : (`other ${s.parentSpanId}` as 'incoming'),
    traceState: s.traceState || undefined,
    attributes: a,
    exceptions: s.events.filter((e) => e.name === 'exception').map((e) => `${String(e.attributes?.['exception.type'])}: ${String(e.attributes?.['exception.message'])}${e.attributes?.['exception.stacktrace'] ? ' (stack)' : ''}`),
  };
}

/** The spans of one run by scenario (url.path is unique per scenario). */
function byScenario(side: 'reference' | 'ours', run: RawRun): Map<string, Norm> {
  return new Map(run.spans.map((s) => [String(s.attributes['url.path']), normalise(side, s, run.port)]));
}

const pathOf = (p: string): string => new URL(p, 'http://x').pathname;
/** What the handler threw or rejected with, by path. */
const THROWN: Record<string, string> = { '/throw': 'TypeError: boom', '/reject': 'RangeError: nope' };

/**
 * The accepted differences, each turning what instrumentation-http records into what the library
 * records (`n` the reference's span for `path` in `mode`).
 */
const ACCEPTED: Array<{ why: string; apply(n: Norm, path: string, mode: Mode): Norm }> = [
  {
    why: 'client.address is the connection\'s peer, as on every runtime of the library (README): Forwarded#for and X-Forwarded-For are not read, since any client can set them; the reference takes the first X-Forwarded-For address (semconv: the original client, "if known")',
    apply: (n) => (n.attributes['client.address'] !== n.attributes['network.peer.address'] ? { ...n, attributes: { ...n.attributes, 'client.address': n.attributes['network.peer.address'] } } : n),
  },
  {
    why: 'the peer is recorded as client.address (client.port is Opt-In in semconv: not recorded); network.peer.address and network.peer.port (Recommended) would repeat them, since the library never takes client.address from a forwarding header',
    apply: (n) => {
      const { 'network.peer.address': _a, 'network.peer.port': _p, ...rest } = n.attributes;
      return 'network.peer.address' in n.attributes ? { ...n, attributes: rest } : n;
    },
  },
  {
    why: 'HTTP semconv: a span of an unknown method (_OTHER) is named HTTP; the reference names it by the method as sent',
    apply: (n) => (n.attributes['http.request.method'] === '_OTHER' ? { ...n, name: n.name.replace(String(n.attributes['http.request.method_original']), 'HTTP') } : n),
  },
  {
    why: 'HTTP semconv (error.type): a 5xx ends the request with an error, and the library says so on the span as on the metric; the reference sets it on the metric only',
    apply: (n) => {
      const code = n.attributes['http.response.status_code'];
      return typeof code === 'number' && code >= 500 && n.attributes['error.type'] === undefined ? { ...n, attributes: { ...n.attributes, 'error.type': String(code) } } : n;
    },
  },
  {
    why: "the library sees what the handler threw or rejected with (a fetch handler's throw, an async listener's rejection); the reference sees only the 500 that toNodeListener or the process answered: exception event, status description and error.type = its type",
    apply: (n, path, mode) => {
      const thrown = THROWN[path];
      if (!thrown || (mode === 'listener' && path === '/throw')) return n;
      return { ...n, message: true, exceptions: [`${thrown} (stack)`], attributes: { ...n.attributes, 'error.type': thrown.split(':')[0] } };
    },
  },
  {
    why: "HTTP semconv (http.response.status_code iff one was sent): an async listener's rejection ends its span, with no status sent by then (Node exits on it unless the app's handler answers, as the test's process does later); the reference, blind to the rejection, records the 500 that handler sent",
    apply: (n, path, mode) => {
      if (mode !== 'listener' || path !== '/reject') return n;
      const { 'http.response.status_code': _, ...rest } = n.attributes;
      return { ...n, attributes: rest };
    },
  },
  {
    why: 'HTTP semconv (http.response.status_code iff one was sent; error.type when the request failed before a status was sent): a connection closed before any answer records no status, error.type connection_closed and an ERROR status; the reference records the 200 the response started with (or the fetch handler returned), never sent',
    apply: (n, path) => {
      if (path !== '/hang') return n;
      const { 'http.response.status_code': _, ...rest } = n.attributes;
      return { ...n, status: 'ERROR', attributes: { ...rest, 'error.type': 'connection_closed' } };
    },
  },
  {
    why: 'HTTP semconv ("HTTP server call: connection dropped before response body was sent"): a listener\'s client that leaves mid-body keeps the status sent, with error.type connection_closed and an ERROR status, and the body is marked http.response.body.incomplete, as under waitForBody; the reference records a plain 200 (toNodeListener\'s span has ended when the handler returned)',
    apply: (n, path, mode) =>
      mode !== 'listener' || path !== '/stream' ? n : { ...n, status: 'ERROR', attributes: { ...n.attributes, 'error.type': 'connection_closed', 'http.response.body.incomplete': true } },
  },
  {
    why: 'url.query is recorded as the client sent it (RFC 3986 query component); the reference re-serialises it through URLSearchParams (%20 becomes +)',
    apply: (n) => (typeof n.attributes['url.query'] === 'string' ? { ...n, attributes: { ...n.attributes, 'url.query': n.attributes['url.query'].replaceAll('+', '%20') } } : n),
  },
  {
    why: 'server.port when the Host header names no port: semconv asks for it "if available"; the library records the port the header gives (none), the reference infers the default of the scheme (80, or 443 from X-Forwarded-Proto)',
    apply: (n, path, mode) => {
      if (path === '/ok/host') {
        const { 'server.port': _, ...rest } = n.attributes;
        return { ...n, attributes: rest };
      }
      return n;
    },
  },
  {
    why: 'HTTP semconv (server.address, server.port): for an absolute-form request target, its host and port; the reference reads the Host header',
    apply: (n, path) => (path === '/ok/absolute' ? { ...n, attributes: { ...n.attributes, 'server.address': 'other.example', 'server.port': 8081 } } : n),
  },
  {
    why: 'HTTP semconv (http.response.status_code iff one was sent): a listener that throws after res.end() has sent its 200, which the library records; the reference ends the span at the throw, without it',
    apply: (n, path, mode) => (path === '/throw-after' && mode === 'listener' ? { ...n, attributes: { ...n.attributes, 'http.response.status_code': 200 } } : n),
  },
  {
    why: "no Host header (an HTTP/1.0 health check): server.address and server.port are the server's own socket address, as in the URL toNodeListener hands the handler, on both adapters; the reference records neither",
    apply: (n, path) => (path === '/ok/http10' ? { ...n, attributes: { ...n.attributes, 'server.address': '127.0.0.1', 'server.port': 'listening port' } } : n),
  },
  {
    why: "server.address and server.port from the socket and Host, not X-Forwarded-Host, which any client of a bare Node server can set (toNodeListener builds the URL the handler sees from Host, as Deno.serve and Bun.serve do; instrumentListener records the same); the reference reads X-Forwarded-Host",
    apply: (n, path) => (path === '/ok/forwarded' ? { ...n, attributes: { ...n.attributes, 'server.address': '127.0.0.1', 'server.port': 'listening port' } } : n),
  },
];

/** The reference's spans with every accepted difference applied; each difference must show at least once. */
function expected(mode: Mode, used: Set<string>): Map<string, Norm> {
  const out = new Map<string, Norm>();
  for (const [path, n] of byScenario('reference', reference[mode])) {
    let m = n;
    for (const a of ACCEPTED) {
      const next = a.apply(m, pathOf(path), mode);
      if (JSON.stringify(next) !== JSON.stringify(m)) used.add(a.why);
      m = next;
    }
    out.set(path, m);
  }
  return out;
}

const POINT_KEYS = ['http.request.method', 'url.scheme', 'http.response.status_code', 'http.route', 'error.type', 'network.protocol.version'];
/**
 * How the reference labels a span's point: error.type = the 5xx status on the metric only; and
 * the listeners that threw (/throw, /throw-after) are recorded as their spans say (error.type
 * TypeError, no status), under one attribute set whose exported object is the first record's,
 * which the reference changes afterwards with that response's status (the 500 the process sent
 * for /throw). The library's point says what its span says.
 */
function asReferencePoint(n: Norm, path: string, mode: Mode): Norm {
  const a = { ...n.attributes };
  if (mode === 'listener' && path.startsWith('/throw')) Object.assign(a, { 'http.response.status_code': 500, 'error.type': undefined });
  const code = a['http.response.status_code'];
  if (typeof code === 'number' && code >= 500 && a['error.type'] === undefined) a['error.type'] = String(code);
  return { ...n, attributes: a };
}
const OUR_POINT_KEYS = POINT_KEYS.filter((k) => k !== 'network.protocol.version');
/** The duration points of a run, one per span, as the spans say them (attribute values with their types: 200 is not "200"). */
function pointsOf(spans: Iterable<Norm>, keys: string[]): string[] {
  const counts = new Map<string, number>();
  for (const n of spans) {
    const key = keys.filter((k) => n.attributes[k] !== undefined).map((k) => `${k}=${JSON.stringify(n.attributes[k])}`).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, c]) => `${k} x${c}`).sort();
}
/** A run's recorded points, summed by attribute set (the SDK may keep one set twice, by insertion order). */
function recorded(run: RawRun, keys: string[]): string[] {
  const counts = new Map<string, number>();
  for (const p of run.points) {
    const key = keys.filter((k) => p.attributes[k] !== undefined).map((k) => `${k}=${JSON.stringify(p.attributes[k])}`).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + p.count);
  }
  return [...counts].map(([k, c]) => `${k} x${c}`).sort();
}

describe('Node adapter against @opentelemetry/instrumentation-http 0.223.0', () => {
  const used = new Set<string>();
  for (const mode of ['fetch', 'listener'] as const) {
    describe(mode === 'fetch' ? 'toNodeListener(instrument(handler))' : 'instrumentListener(listener)', () => {
      test('the client gets the same answers', () => {
        expect(ours[mode].answers).toEqual(reference[mode].answers);
        expect(ours[mode].answers).toHaveLength(SCENARIOS.length);
      });
      for (const s of SCENARIOS) {
        test(s.name, () => {
          const path = pathOf(s.path);
          const want = expected(mode, used).get(path);
          const got = byScenario('ours', ours[mode]).get(path);
          if (process.env.DIFF_DUMP) console.log(mode, s.name, JSON.stringify({ reference: byScenario('reference', reference[mode]).get(path), ours: got }, null, 1));
          // A parent not sampled: neither side records a span (both sample by the parent).
          if (s.unsampled) expect([want, got]).toEqual([undefined, undefined]);
          else expect(want).toBeDefined();
          expect(got).toEqual(want);
        });
      }
      test('http.server.request.duration: one point per span, labelled as the span says', () => {
        const refSpans = [...byScenario('reference', reference[mode])].map(([path, n]) => asReferencePoint(n, path, mode));
        const ourSpans = [...byScenario('ours', ours[mode]).values()];
        // Accepted: the reference labels the points by network.protocol.version too (semconv:
        // Recommended); the library's points are labelled by the Required and Conditionally
        // Required attributes only, the same on every runtime (Workers has no protocol version).
        // Values are compared with their types: http.response.status_code is the int 200 on
        // both sides' points and spans (semconv type: int).
        // A request whose parent is not sampled has no span but is counted (a GET answered 200).
        const unsampled = SCENARIOS.filter((x) => x.unsampled).map((): Norm => ({ ...refSpans[0]!, attributes: { 'http.request.method': 'GET', 'url.scheme': 'http', 'http.response.status_code': 200, 'network.protocol.version': '1.1' } }));
        expect(recorded(ours[mode], POINT_KEYS)).toEqual(pointsOf([...ourSpans, ...unsampled], OUR_POINT_KEYS));
        expect(recorded(reference[mode], POINT_KEYS)).toEqual(pointsOf([...refSpans, ...unsampled], POINT_KEYS));
      });
    });
  }
  test('every accepted difference still shows', () => {
    for (const mode of ['fetch', 'listener'] as const) expected(mode, used);
    expect(ACCEPTED.map((a) => a.why).filter((w) => !used.has(w))).toEqual([]);
  });
});
