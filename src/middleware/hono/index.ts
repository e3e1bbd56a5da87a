/**
 * @module
 * Hono middleware for `@lexigram/monitor` (`hono` is an optional peer dependency; only its
 * types are imported). Works on Workers, Deno, Bun and Node, alone or under `instrument()`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { monitorMiddleware, mountMonitoring } from '@lexigram/monitor/hono';
 * const app = new Hono();
 * app.use(monitorMiddleware({ serviceName: 'api' }));
 * app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
 * ```
 */
export { mountMonitoring, type MountMonitoringOptions, type PathHandler } from './mount.js';
export { monitorMiddleware, tracedMiddleware, MONITOR_KEY, type HonoMonitorOptions } from './monitor-middleware.js';
