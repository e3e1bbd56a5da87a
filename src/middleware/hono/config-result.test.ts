/**
 * A config function that returns no options is a configuration error, printed for the developer
 * (not the client's: the request is still served), and named after the middleware.
 */
import { Hono } from 'hono';
import { expect, test, vi } from 'vitest';
import { monitorMiddleware } from './monitor-middleware.js';

test('monitorMiddleware((env) => null) prints an error naming the middleware and what to return', async () => {
  const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const app = new Hono();
    app.use(monitorMiddleware(() => null as never));
    app.get('/', (c) => c.text('ok'));
    expect(await (await app.request('/')).text()).toBe('ok');
    expect(printed.mock.calls.map((c) => String(c[0]))).toEqual(['TypeError: monitorMiddleware: config (env) => options must return a Monitor or an options object, got null.']);
  } finally {
    printed.mockRestore();
  }
});
