/**
 * @module
 * Deno adapter: `instrument(handler, config)` for `Deno.serve`, `serve()` to start a server,
 * and `flushOnExit` so pending telemetry leaves on SIGTERM/SIGINT. With `OTEL_DENO=true` the
 * adapter joins Deno's built-in OpenTelemetry instead of exporting the same spans twice.
 *
 * @example
 * ```ts
 * import { instrument } from '@lexigram/monitor/deno';
 * Deno.serve(instrument((req) => new Response('hi'), { serviceName: 'api' }));
 * ```
 */
export { instrument, type DenoHandler, type DenoInstrumentationOptions } from './src/instrument.js';
export { serve, type DenoServeInstrumentation, type DenoServeOptions, type DenoServeTcpOptions, type DenoServeUnixOptions, type DenoServeVsockOptions } from './src/serve.js';
export { flushOnExit, type DenoFlushOnExitOptions } from './src/flush-on-exit.js';
export { activeDenoSpan, denoOtelEnabled } from './src/deno-otel.js';
export type { DenoServeInfo, DenoHttpServer, DenoSignal } from './src/deno-types.js';
export type { InstrumentedHandler, ServerInstrumentationOptions } from '../../src/adapter/process-server.js';
export type { MonitorConfig } from '../../src/adapter/monitor-from-config.js';
export type { RequestTelemetry } from '../../src/http/handle-request.js';
export type { TrustProxy } from '../../src/http/trust-proxy.js';
