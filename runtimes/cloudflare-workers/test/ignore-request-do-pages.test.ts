/**
 * `ignoreRequest` given to instrumentDO() and pagesMiddleware() (the adapter options they share
 * with instrument()): a health check gets the same Response, no span and no duration point.
 */
import { describe, expect, test } from 'vitest';
import { createTestMonitor } from '../../../src/testing/index.js';
import { instrumentDO, pagesMiddleware } from '../index.js';

/** Stands in for `DurableObject` from cloudflare:workers (the name is what the adapter looks for). */
class DurableObject {
  constructor(
    readonly ctx: unknown,
    readonly env: unknown,
  ) {}
}
const isHealth = (r: Request): boolean => new URL(r.url).pathname === '/health';

function durations(monitor: ReturnType<typeof createTestMonitor>['monitor']): number[] {
  const m = monitor.metrics.collect({ temporality: 'cumulative' }).metrics.find((x) => x.name === 'http.server.request.duration');
  return (m?.points ?? []).map((p) => (p as { count: number }).count);
}

describe('ignoreRequest beyond instrument() on Workers', () => {
  test('instrumentDO: the health check is answered with the same Response, untraced; another request is traced', async () => {
    const { monitor, memory } = createTestMonitor();
    const answers = new Map<string, Response>();
    class Room extends DurableObject {
      fetch(req: Request): Response {
        const r = new Response(new URL(req.url).pathname);
        answers.set(req.url, r);
        return r;
      }
    }
    const waits: Promise<unknown>[] = [];
    const room = new (instrumentDO(Room, monitor, { ignoreRequest: isHealth }))({ waitUntil: (p: Promise<unknown>) => void waits.push(p), storage: {} }, {});
    for (const url of ['http://do/health', 'http://do/state']) expect(await room.fetch(new Request(url))).toBe(answers.get(url));
    await Promise.all(waits);
    await monitor.flush();
    expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/state']);
    expect(durations(monitor)).toEqual([1]);
  });

  test('pagesMiddleware: the same', async () => {
    const { monitor, memory } = createTestMonitor();
    const onRequest = pagesMiddleware(monitor, { ignoreRequest: isHealth });
    const waits: Promise<unknown>[] = [];
    for (const url of ['http://site/health', 'http://site/page']) {
      const answer = new Response('page');
      const res = await onRequest({ request: new Request(url), env: {}, data: {}, next: async () => answer, waitUntil: (p: Promise<unknown>) => void waits.push(p) } as never);
      expect(res).toBe(answer);
    }
    await Promise.all(waits);
    await monitor.flush();
    expect(memory.spans.map((s) => s.attributes['url.path'])).toEqual(['/page']);
    expect(durations(monitor)).toEqual([1]);
  });
});
