/**
 * A request handleRequest cannot read (a header getter that throws, as a Node-style request's
 * header object may have) opens no scope it would never close: the process's open-scope count
 * goes back to 0, so the clock still catches up after a suspend or a frozen sandbox (enterScope),
 * and the adapter that gets the rejection still serves the request (a stand-in, as the Node-style
 * adapters do). The clock's state is per module load: each test loads fresh modules.
 */
import { afterEach, expect, test, vi } from 'vitest';

const HOUR = 3_600_000;

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

/** A Request whose headers throw when `name` (any name for '*') is read. */
function unreadable(name: string): Request {
  const request = new Request('https://app.example/unreadable');
  const headers = request.headers;
  const spoiled = {
    get(n: string): string | null {
      if (name === '*' || n.toLowerCase() === name) throw new Error(`${n} unreadable`);
      return headers.get(n);
    },
    has: (n: string) => headers.has(n),
    forEach: (fn: (v: string, k: string) => void) => headers.forEach(fn),
    getSetCookie: () => headers.getSetCookie(),
  };
  Object.defineProperty(request, 'headers', { value: spoiled });
  return request;
}

test.each([
  ['reading its attributes (user-agent) fails', 'user-agent'],
  ['reading its incoming trace (traceparent) fails', '*'],
])('a request where %s: no scope is left open (the clock still catches up), and the request is served under a stand-in', async (_what, name) => {
  vi.resetModules();
  const { createTestMonitor } = await import('../testing/index.js');
  const { handleRequest } = await import('./handle-request.js');
  const time = await import('../time.js');
  const { monitor, memory } = createTestMonitor();
  const served: string[] = [];
  const handler = (request: Request): Response => (served.push(new URL(request.url).pathname), new Response('ok'));
  const failed = await handleRequest(monitor, unreadable(name), handler, undefined).then(
    () => undefined,
    (e: unknown) => e,
  );
  // It failed before the handler ran: the adapter serves the request under a stand-in.
  expect(String(failed)).toContain('unreadable');
  expect(served).toEqual([]);
  const answer = await handleRequest(monitor, new Request('http://localhost/'), handler, undefined);
  expect(await answer.text()).toBe('ok');
  expect(served).toEqual(['/']);
  // Nothing open any more: a scope opening after a suspend moves the clock.
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + HOUR);
  const origin = time.clockOrigin();
  await handleRequest(monitor, new Request('https://app.example/after'), handler, undefined);
  expect(time.clockOrigin() - origin).toBeGreaterThan(HOUR - 1000);
  await monitor.flush();
  const after = memory.spans.find((s) => s.attributes['url.path'] === '/after')!;
  expect(Math.abs(after.startTime - Date.now())).toBeLessThan(1000);
});
