/**
 * `ignoreRequest`: health checks, readiness probes and scrapes kept out of traces and request
 * metrics, the request itself served exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { createTestMonitor } from '../testing/index.js';
import { checkHttpOptions, HTTP_OPTION_KEYS } from '../config/option-keys.js';
import { handleRequest, type RequestTelemetry } from './handle-request.js';
import { instrumentFetch } from './instrument-fetch.js';
import { unhandledRejections } from '../../test/helpers/unhandled-rejections.js';

const unhandled = unhandledRejections();
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const isHealth = (r: Request): boolean => new URL(r.url).pathname === '/health';

function points(monitor: ReturnType<typeof createTestMonitor>['monitor'], name: string): readonly unknown[] {
  return monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((m) => m.name === name)?.points ?? [];
}

/** One request through handleRequest: what its handler saw and sent downstream. */
async function serve(monitor: ReturnType<typeof createTestMonitor>['monitor'], url: string, options: Parameters<typeof handleRequest>[4], flags = '01') {
  const sent: string[] = [];
  const downstream = instrumentFetch(monitor, async (input) => {
    sent.push((input as Request).headers.get('traceparent') ?? '');
    return new Response('ok');
  });
  const answer = new Response('fine', { status: 200 });
  let seen: RequestTelemetry | undefined;
  const waits: Promise<unknown>[] = [];
  const res = await handleRequest(
    monitor,
    new Request(url, { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-${flags}` } }),
    async (_r, t) => {
      seen = t;
      t.span.setAttribute('app.key', 1).setStatus(0);
      monitor.tracer.startSpan('db.query').end();
      monitor.logger.info('probe served');
      await downstream('https://api.example.com/dep');
      return answer;
    },
    (p) => void waits.push(p),
    options,
  );
  await Promise.all(waits);
  return { res, answer, seen: seen!, sent };
}

describe('ignoreRequest', () => {
  it('an ignored request: the same Response, its telemetry usable, no span, no server metric point, logs kept, fetches sent as unsampled', async () => {
    const { monitor, memory } = createTestMonitor();
    const { res, answer, seen, sent } = await serve(monitor, 'http://x/health', { ignoreRequest: isHealth, waitForBody: true });
    expect(res).toBe(answer);
    expect(seen.span.isRecording()).toBe(false);
    expect(seen.scope.closed).toBe(true);
    await monitor.forceFlush();
    expect(memory.spans).toEqual([]);
    expect(points(monitor, 'http.server.request.duration')).toEqual([]);
    expect(points(monitor, 'http.server.active_requests')).toEqual([]);
    expect(memory.logs.map((l) => l.body)).toEqual(['probe served']);
    // What an unsampled request's fetch carries: the caller's trace, a span id of its own, not sampled.
    expect(sent[0]).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    expect(sent[0]).not.toContain('00f067aa0ba902b7');
    expect(memory.logs[0]!.traceId).toBe(TRACE);
  });

  it('what an unsampled request sends downstream is what an ignored one sends (the control)', async () => {
    const { monitor } = createTestMonitor();
    const unsampled = await serve(monitor, 'http://x/api', {}, '00');
    const ignored = await serve(monitor, 'http://x/health', { ignoreRequest: isHealth });
    expect(unsampled.sent[0]!.replace(/-[0-9a-f]{16}-/, '-S-')).toBe(ignored.sent[0]!.replace(/-[0-9a-f]{16}-/, '-S-'));
  });

  it('any other request is recorded as before; a sampler that samples every span still records no server span for an ignored one', async () => {
    const { monitor, memory } = createTestMonitor({ sampler: { type: 'always_on' } });
    await serve(monitor, 'http://x/api', { ignoreRequest: isHealth });
    await serve(monitor, 'http://x/health', { ignoreRequest: isHealth });
    await monitor.forceFlush();
    // The spans started inside are the sampler's to decide, as under any unsampled parent:
    // always_on takes no account of its parent.
    expect(memory.spans.filter((s) => s.kind === 2).map((s) => s.attributes['url.path'])).toEqual(['/api']);
    expect((points(monitor, 'http.server.request.duration')[0] as { count: number }).count).toBe(1);
  });

  it('a new trace when nothing came in; a throw of the handler goes back as it is', async () => {
    const { monitor, memory } = createTestMonitor();
    const err = new Error('down');
    const t: RequestTelemetry[] = [];
    await expect(
      handleRequest(
        monitor,
        new Request('http://x/health'),
        (_r, tel) => {
          t.push(tel);
          throw err;
        },
        undefined,
        { ignoreRequest: () => true },
      ),
    ).rejects.toBe(err);
    expect(t[0]!.span.spanContext()).toMatchObject({ traceFlags: 0 });
    expect(t[0]!.span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    await monitor.forceFlush();
    expect(memory.spans).toEqual([]);
    expect(points(monitor, 'http.server.request.duration')).toEqual([]);
  });

  it('a predicate that throws, or answers with a Promise, leaves the request recorded, reported once, nothing unhandled', async () => {
    const seen: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d.message) });
    const throwing = (): boolean => {
      throw new Error('no url');
    };
    await serve(monitor, 'http://x/a', { ignoreRequest: throwing });
    await serve(monitor, 'http://x/b', { ignoreRequest: throwing });
    const asyncPredicate = (async () => {
      throw new Error('async');
    }) as unknown as (r: Request) => boolean;
    await serve(monitor, 'http://x/c', { ignoreRequest: asyncPredicate });
    await new Promise((r) => setTimeout(r, 20));
    await monitor.forceFlush();
    expect(memory.spans.filter((s) => s.kind === 2)).toHaveLength(3);
    expect(seen.filter((m) => m.includes('ignoreRequest'))).toEqual([
      'ignoreRequest threw (no url); the request is recorded as usual',
      'ignoreRequest returned no boolean (a Promise?); the request is recorded as usual',
    ]);
    expect(unhandled).toEqual([]);
  });

  it('a non-function throws where the options are given, saying what to pass', () => {
    expect(() => checkHttpOptions('instrument', { ignoreRequest: '/health' }, HTTP_OPTION_KEYS)).toThrow(
      /instrument: `ignoreRequest` must be a function \(request\) => true for a request to leave untraced.*got "\/health"/,
    );
    expect(() => checkHttpOptions('instrument', { ignoreRequest: (r: Request) => r.url.endsWith('/health') }, HTTP_OPTION_KEYS)).not.toThrow();
  });
});

describe('route', () => {
  it('a route option that throws is reported once (it was silent: every request went unnamed unseen); the request is still served and recorded', async () => {
    const seen: string[] = [];
    const { monitor, memory } = createTestMonitor({ onDiagnostic: (d) => void seen.push(d.message) });
    const route = (): string => {
      throw new Error('no router');
    };
    for (const path of ['/a', '/b']) expect((await handleRequest(monitor, new Request(`http://x${path}`), () => new Response('ok'), undefined, { route })).status).toBe(200);
    await monitor.forceFlush();
    expect(memory.spans.map((s) => s.name)).toEqual(['GET', 'GET']);
    expect(seen.filter((m) => m.startsWith('route'))).toEqual(['route threw (no router); the request is recorded without a route']);
  });
});
