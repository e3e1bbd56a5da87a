/**
 * The HTTP options every adapter shares are checked by value where they are given, not only by
 * name: each of these took effect unseen before (an env var's 'false' is a string, so
 * `trustIncomingTrace: 'false'` trusted every incoming traceparent; a header list given as one
 * string was read letter by letter; a route template given as a string was never called).
 */
import { describe, expect, test } from 'vitest';
import { createServerHandler } from '../adapter/process-server.js';
import { monitorMiddleware } from '../middleware/hono/monitor-middleware.js';
import { createTestMonitor } from '../testing/index.js';

const WRONG: [string, Record<string, unknown>, RegExp][] = [
  ['trustIncomingTrace as text', { trustIncomingTrace: 'false' }, /`trustIncomingTrace` must be true or false, got "false"\./],
  ['waitForBody as text', { waitForBody: 'yes' }, /`waitForBody` must be true or false, got "yes"\./],
  ['route as a template string', { route: '/users/:id' }, /`route` must be a function \(request\) => route template such as '\/users\/:id', got "\/users\/:id"\./],
  ['captureHeaders as a list', { captureHeaders: ['x-id'] }, /`captureHeaders` must be \{ requestHeaders\?: string\[\], responseHeaders\?: string\[\] \}, got an array\./],
  ['a misspelt captureHeaders key', { captureHeaders: { requestHeader: ['x-id'] } }, /captureHeaders: unknown option `requestHeader`; known options are requestHeaders, responseHeaders\./],
  ['a header list as one string', { captureHeaders: { requestHeaders: 'x-id' } }, /`captureHeaders\.requestHeaders` must be an array of header names \(\['x-request-id'\]\), got "x-id"\./],
  ['a header name that is not text', { captureHeaders: { responseHeaders: ['x-id', 7] } }, /`captureHeaders\.responseHeaders` must be an array of header names/],
];

describe('HTTP options of the wrong type throw where they are given, saying what to give', () => {
  const { monitor } = createTestMonitor();
  const handler = (): Response => new Response('ok');
  for (const [name, options, message] of WRONG) {
    test(name, () => {
      expect(() => createServerHandler(handler, monitor, undefined, options as never)).toThrow(message);
      expect(() => monitorMiddleware(monitor, options as never)).toThrow(message);
    });
  }

  test("traceFetch: 'false' (it traced every fetch) and the right types, accepted", () => {
    expect(() => createServerHandler(handler, monitor, undefined, { traceFetch: 'false' } as never)).toThrow(/^instrument: `traceFetch` must be true, false or fetch options \(\{ propagateTo \}\), got "false"\.$/);
    const right = { trustIncomingTrace: false, waitForBody: true, route: () => '/users/:id', captureHeaders: { requestHeaders: ['x-id'], responseHeaders: [] } };
    expect(() => createServerHandler(handler, monitor, undefined, { ...right, traceFetch: { propagateTo: { allow: ['api.example.com'] } } })).not.toThrow();
    expect(() => monitorMiddleware(monitor, right)).not.toThrow();
  });
});
