/**
 * @module
 * Bun adapter: `instrument(handler, config)` for `Bun.serve({ fetch })`, `serve()` to start a
 * server, and `flushOnExit` so pending telemetry leaves on SIGTERM/SIGINT.
 *
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/bun';
 * Bun.serve({ port: 3000, fetch: instrument((req) => new Response('hi'), { serviceName: 'api' }) });
 * ```
 */
export { instrument, type BunHandler, type BunInstrumentationOptions } from './src/instrument.js';
export { serve, type BunServeInstrumentation } from './src/serve.js';
export type { BunServer, BunServerLike, BunServerOptions } from './src/bun-types.js';
export { flushOnExit, type FlushOnExitOptions, type ExitSignal } from '../node/src/flush-on-exit.js';
export type { InstrumentedHandler, ServerInstrumentationOptions } from '../../src/adapter/process-server.js';
export type { MonitorConfig } from '../../src/adapter/monitor-from-config.js';
export type { RequestTelemetry } from '../../src/http/handle-request.js';
export type { TrustProxy } from '../../src/http/trust-proxy.js';
