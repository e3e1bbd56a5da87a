/**
 * An adapter's config is a Monitor, monitor options, or a function (env) => options (omitted: the
 * options come from OTEL_*). Anything else (null, a number, a service name given as a string, a
 * boolean) throws where the adapter is called, naming it and what to pass (DESIGN 5): null and 42
 * threw "Invalid value used as weak map key" (on Workers at every request, a 500), a string
 * "unknown option `0`", and monitorMiddleware was built without a word and ran the app untraced.
 */
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { instrument as workersInstrument, instrumentDO, pagesMiddleware } from '../../runtimes/cloudflare-workers/index.js';
import { instrument as nodeInstrument, instrumentListener, serve } from '../../runtimes/node/index.js';
import { wrapFunction } from '../../runtimes/serverless/index.js';
import { monitorMiddleware } from '../../src/middleware/hono/index.js';
import { createServerHandler } from '../../src/adapter/process-server.js';
import { createTestMonitor } from '../../src/testing/index.js';

const WRONG: [unknown, string][] = [
  [null, 'null'],
  [42, '42'],
  ['api', '"api"'],
  [true, 'true'],
];
const says = (adapter: string, got: string): RegExp =>
  new RegExp(`^${adapter}: config must be a Monitor, an options object or a function \\(env\\) => options, got ${got}\\.$`);

describe('a config that is none of the forms an adapter takes throws where the adapter is called', () => {
  test.each(WRONG)('Workers instrument, instrumentDO and pagesMiddleware: %j', (config, got) => {
    expect(() => workersInstrument({ fetch: async () => new Response('ok') }, config as never)).toThrow(says('instrument', got));
    class Counter {
      async fetch(): Promise<Response> {
        return new Response('ok');
      }
    }
    expect(() => instrumentDO(Counter as never, config as never)).toThrow(says('instrument', got));
    expect(() => pagesMiddleware(config as never)).toThrow(says('instrument', got));
  });

  test.each(WRONG)('Node instrument, instrumentListener, serve and the shared server handler: %j', async (config, got) => {
    expect(() => nodeInstrument(async () => new Response('ok'), config as never)).toThrow(says('instrument', got));
    expect(() => instrumentListener((_req, res) => res.end('ok'), config as never)).toThrow(says('instrument', got));
    await expect(serve(async () => new Response('ok'), config as never, { port: 0, flushOnExit: false })).rejects.toThrow(says('instrument', got));
    expect(() => createServerHandler(async () => new Response('ok'), config as never, {})).toThrow(says('instrument', got));
  });

  test.each(WRONG)('wrapFunction: %j', (config, got) => {
    expect(() => wrapFunction(async () => 'ok', config as never)).toThrow(says('wrapFunction', got));
  });

  test.each(WRONG)('monitorMiddleware, when the app is built: %j', (config, got) => {
    expect(() => monitorMiddleware(config as never)).toThrow(says('monitorMiddleware', got));
  });

});

describe('the forms an adapter takes still work', () => {
  test('Workers: a Monitor, options, a function of the env, or nothing', async () => {
    const { monitor } = createTestMonitor();
    for (const config of [monitor, { backends: [] }, () => ({ backends: [] }), undefined]) {
      const w = workersInstrument({ fetch: async () => new Response('ok') }, config as never);
      const ctx = { waitUntil() {}, passThroughOnException() {}, props: undefined };
      expect((await w.fetch!(new Request('http://x/'), {}, ctx)).status).toBe(200);
    }
  });

  test('wrapFunction and monitorMiddleware: a Monitor, options or a function of the env', () => {
    const { monitor } = createTestMonitor();
    for (const config of [monitor, { backends: [] }, () => ({ backends: [] })]) {
      expect(() => wrapFunction(async () => 'ok', config)).not.toThrow();
      expect(() => monitorMiddleware(config)).not.toThrow();
    }
  });

  test('monitorMiddleware given nothing reads its options from the env, as the other adapters do', async () => {
    const app = new Hono();
    app.use(monitorMiddleware(undefined as never));
    app.get('/', (c) => c.text('hi'));
    const errors: unknown[] = [];
    const error = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      // No OTEL_* set: the console backend (its output is not this test's).
      const log = console.log;
      console.log = () => {};
      try {
        expect((await app.request('/', undefined, { OTEL_SDK_DISABLED: 'true' })).status).toBe(200);
      } finally {
        console.log = log;
      }
    } finally {
      console.error = error;
    }
    // Before, the first request printed "Invalid value used as weak map key" and the app ran untraced.
    expect(errors).toEqual([]);
  });
});
