/**
 * Express differential test: the same Express 5 app (fixtures/express-differential-app.ts) runs in
 * two child processes, as in instrumentation-http-differential.test.ts: once under
 * `@opentelemetry/instrumentation-http` 0.223.0 with `@opentelemetry/instrumentation-express`
 * 0.71.1 (a CommonJS script that registers both before requiring node:http and express), once
 * under `instrumentListener(app)`. The same requests go to both. What names a request is compared:
 * the SERVER span's name, `http.route`, status, status code and error attributes, and the label
 * sets of the `http.server.request.duration` points (a route label per template keeps the metric's
 * cardinality low; a raw path would not). They must be equal once the differences in ACCEPTED are
 * applied to the reference's; an accepted difference that no longer shows fails too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, test } from 'vitest';
import { SCENARIOS } from './fixtures/express-differential-app.js';

type Attrs = Record<string, unknown>;
interface RawRun {
  answers: string[];
  spans: Array<{ name: string; traceId: string; kind: string; status: string; attributes: Attrs; exceptions: string[] }>;
  points: Array<{ attributes: Attrs; count: number }>;
}
/** One SERVER span and the spans of its trace made by the instrumentation below it. */
interface Norm {
  name: string;
  status: string;
  attributes: Attrs;
  exceptions: string[];
  /** INTERNAL spans in its trace (Express middleware, routers, request handlers). */
  internal: number;
}

// url.query is compared by instrumentation-http-differential.test.ts (the reference re-serialises it).
const KEYS = ['http.request.method', 'http.route', 'http.response.status_code', 'error.type', 'url.path'];
const F = join(import.meta.dirname, 'fixtures');
type Ours = 'listener' | 'wrapFunction';
let reference: RawRun;
let ours: Record<Ours, RawRun>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lexigram-express-diff-'));
  const base = { bundle: true, platform: 'node', logLevel: 'silent' } as const;
  await Promise.all([
    build({ ...base, format: 'cjs', entryPoints: [join(F, 'express-differential-app.ts')], outfile: join(dir, 'app.cjs') }),
    build({ ...base, format: 'esm', entryPoints: [join(F, 'express-differential-ours.ts')], outfile: join(dir, 'ours.mjs') }),
  ]);
  // NODE_ENV=test: Express's final handler does not print the errors it answers 500.
  const run = (args: string[]): unknown =>
    JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'ignore'] }));
  reference = run([join(F, 'express-differential-reference.cjs'), join(dir, 'app.cjs')]) as RawRun;
  ours = run([join(dir, 'ours.mjs'), createRequire(import.meta.url).resolve('express')]) as Record<Ours, RawRun>;
}, 60_000);

/** The SERVER spans of a run by url.path (unique per scenario). */
function byPath(run: RawRun): Map<string, Norm> {
  const out = new Map<string, Norm>();
  for (const s of run.spans.filter((x) => x.kind === 'SERVER')) {
    const attributes = Object.fromEntries(KEYS.filter((k) => s.attributes[k] !== undefined).map((k) => [k, s.attributes[k]]));
    const internal = run.spans.filter((x) => x.traceId === s.traceId && x.kind === 'INTERNAL').length;
    out.set(String(s.attributes['url.path']), { name: s.name, status: s.status, attributes, exceptions: s.exceptions, internal });
  }
  return out;
}

const withRoute = (n: Norm, route: string | undefined): Norm => {
  const { 'http.route': _, ...rest } = n.attributes;
  const method = String(n.attributes['http.request.method']);
  return { ...n, name: route ? `${method} ${route}` : method, attributes: route ? { ...rest, 'http.route': route } : rest };
};

/** The accepted differences, each turning the reference's span for `path` into the library's. */
const ACCEPTED: Array<{ why: string; apply(n: Norm, path: string): Norm }> = [
  {
    why: 'instrumentation-express adds an INTERNAL span per middleware, router and request handler; the library makes the SERVER span only (its name and http.route are what this test is about)',
    apply: (n) => ({ ...n, internal: 0 }),
  },
  {
    why: 'HTTP semconv (error.type): a 5xx ends the request with an error, and the library says so on the span as on the metric; the reference sets it on the metric only',
    apply: (n) => {
      const code = n.attributes['http.response.status_code'];
      return typeof code === 'number' && code >= 500 && n.attributes['error.type'] === undefined ? { ...n, attributes: { ...n.attributes, 'error.type': String(code) } } : n;
    },
  },
  {
    why: 'a route that matched and called next() (Express then answers 404) is still the matched route (HTTP semconv http.route: "the matched route"): the library keeps it, a template as bounded as any; the reference drops a route whose handler called next()',
    apply: (n, path) => (path === '/maybe/1' ? withRoute(n, '/maybe/:n') : path === '/api/v1/maybe/1' ? withRoute(n, '/api/v1/maybe/:n') : n),
  },
  {
    why: "a middleware that answers (express.static on app.use('/static')) matched a path prefix, not a route template: the library names requests by routes only; the reference records the mount path as http.route",
    apply: (n, path) => (path === '/static/app.js' ? withRoute(n, undefined) : n),
  },
  {
    why: "a route of a mounted sub-app whose error is answered by the parent app: Express has reset the request to the parent, which keeps no link to the sub-app's routers, so the library records no http.route rather than a wrong one; the reference tracked the mounts as they ran",
    apply: (n, path) => (path === '/admin/fail/1' ? withRoute(n, undefined) : n),
  },
];

/** The reference's spans with every accepted difference applied; each difference must show at least once. */
function expected(used: Set<string>): Map<string, Norm> {
  const out = new Map<string, Norm>();
  for (const [path, n] of byPath(reference)) {
    let m = n;
    for (const a of ACCEPTED) {
      const next = a.apply(m, path);
      if (JSON.stringify(next) !== JSON.stringify(m)) used.add(a.why);
      m = next;
    }
    out.set(path, m);
  }
  return out;
}

const POINT_KEYS = ['http.request.method', 'http.route', 'http.response.status_code', 'error.type'];
const labels = (a: Attrs): string => POINT_KEYS.filter((k) => a[k] !== undefined).map((k) => `${k}=${String(a[k])}`).join(' ');
/** Label sets with their counts, summed (the SDK may keep one set twice); values compared as strings. */
function tally(entries: Array<{ attributes: Attrs; count: number }>): string[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(labels(e.attributes), (counts.get(labels(e.attributes)) ?? 0) + e.count);
  return [...counts].map(([k, c]) => `${k} x${c}`).sort();
}

describe('Express routes against @opentelemetry/instrumentation-express 0.71.1 + instrumentation-http 0.223.0', () => {
  const used = new Set<string>();
  for (const side of ['listener', 'wrapFunction'] as const) {
    describe(side === 'listener' ? 'instrumentListener(app)' : 'wrapFunction(app), a Node-style function', () => {
      test('the client gets the same answers', () => {
        expect(ours[side].answers).toEqual(reference.answers);
        expect(ours[side].answers).toHaveLength(SCENARIOS.length);
      });
      for (const s of SCENARIOS) {
        test(`${s.name} (${s.method} ${s.path})`, () => {
          const path = new URL(s.path, 'http://x').pathname;
          const want = expected(used).get(path);
          expect(want).toBeDefined();
          expect(byPath(ours[side]).get(path)).toEqual(want);
        });
      }
      test('http.server.request.duration: one point per request, labelled as its span says (a route, never a path)', () => {
        // Values are compared as strings (the library's metric attributes are its own data model).
        const spans = [...expected(used).values()].map((n) => ({ attributes: n.attributes, count: 1 }));
        expect(tally(ours[side].points)).toEqual(tally(spans));
      });
    });
  }
  test("the reference's points are labelled as its spans, error.type on a 5xx point only", () => {
    const spans = [...byPath(reference).values()].map((n) => ({ attributes: ACCEPTED[1]!.apply(n, '').attributes, count: 1 }));
    expect(tally(reference.points)).toEqual(tally(spans));
  });
  test('every accepted difference still shows', () => {
    expected(used);
    expect(ACCEPTED.map((a) => a.why).filter((w) => !used.has(w))).toEqual([]);
  });
});
