/**
 * @module
 * Node adapter: `instrument(handler, config)` for fetch-style handlers, `toNodeListener` to
 * mount them on `http.createServer`, `serve()` to start one, `instrumentListener(app)` for
 * Node request listeners such as Express apps, and `flushOnExit` so pending telemetry leaves on
 * SIGTERM/SIGINT.
 *
 * @example
 * ```ts
 * import { serve } from '@lexigram/monitor/node';
 * await serve(async (req) => new Response('hello'), { serviceName: 'api' }, { port: 3000 });
 * ```
 */
export { instrument, useAsyncLocalStorage, type NodeHandler } from './src/instrument.js';
export { instrumentListener, type NodeListener, type InstrumentedListener, type InstrumentListenerOptions } from './src/listener.js';
export { serve, type NodeServeOptions, type NodeServer } from './src/serve.js';
export { toNodeListener, toWebRequest, writeWebResponse, type NodeRequestInfo, type NodeListenerOptions } from './src/node-http.js';
export type { TrustProxy } from './src/trust-proxy.js';
export { flushOnExit, type FlushOnExitOptions, type ExitSignal } from './src/flush-on-exit.js';
export type { InstrumentedHandler, ServerInstrumentationOptions } from '../../src/adapter/process-server.js';
export type { MonitorConfig } from '../../src/adapter/monitor-from-config.js';
export type { RequestTelemetry } from '../../src/http/handle-request.js';
