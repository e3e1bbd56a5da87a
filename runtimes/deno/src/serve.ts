import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { serveExitOptions } from '../../../src/adapter/process-server.js';
import { checkHttpOptions, checkNotBeside, HTTP_OPTION_KEYS } from '../../../src/config/option-keys.js';
import { flushOnExit, type DenoFlushOnExitOptions } from './flush-on-exit.js';
import { denoGlobal, type DenoHttpServer } from './deno-types.js';
import { withDenoOnError } from './error-option.js';
import { instrument, type DenoHandler, type DenoInstrumentationOptions } from './instrument.js';

const INSTRUMENTATION_KEYS: Record<keyof DenoServeInstrumentation, 0> = { ...HTTP_OPTION_KEYS, traceFetch: 0, denoOtel: 0, trustProxy: 0, flushOnExit: 0 };

export interface DenoServeInstrumentation extends DenoInstrumentationOptions {
  /** Flush on SIGTERM/SIGINT before exit (default true); options or false. */
  flushOnExit?: boolean | DenoFlushOnExitOptions;
}

/**
 * The options `Deno.serve` takes (Deno 2's `ServeOptions`) and the library's under
 * `instrumentation`. Spelled out rather than read from Deno's types, which the package is not
 * built with; an open record let `serve(h, m, { port, traceFetch: false })` compile and then
 * throw. Callbacks are methods so that Deno's own option objects are accepted as they are.
 */
interface DenoServeCommonOptions {
  /** Closes the server and its connections. */
  signal?: AbortSignal;
  /** Answers an error the handler throws (recorded with the status of its Response); none, Deno's 500. */
  onError?(error: unknown): Response | Promise<Response> | undefined | Promise<Response | undefined>;
  /** Compress response bodies the client accepts compressed. */
  automaticCompression?: boolean;
  /** The library's options (`traceFetch`, `waitForBody`, `flushOnExit`, ...). */
  instrumentation?: DenoServeInstrumentation;
}

export interface DenoServeTcpOptions extends DenoServeCommonOptions {
  transport?: 'tcp';
  /** Default 8000; 0 for any free port. */
  port?: number;
  hostname?: string;
  reusePort?: boolean;
  tcpBacklog?: number;
  /** TLS: the certificate chain and private key in PEM. */
  cert?: string;
  key?: string;
  keyFormat?: 'pem';
  onListen?(localAddr: { transport: 'tcp'; hostname: string; port: number }): void;
}

export interface DenoServeUnixOptions extends DenoServeCommonOptions {
  transport?: 'unix';
  /** The Unix domain socket to listen on. */
  path: string;
  onListen?(localAddr: { transport: 'unix'; path: string }): void;
}

export interface DenoServeVsockOptions extends DenoServeCommonOptions {
  transport?: 'vsock';
  cid: number;
  port: number;
  onListen?(localAddr: { transport: 'vsock'; cid: number; port: number }): void;
}

export type DenoServeOptions = DenoServeTcpOptions | DenoServeUnixOptions | DenoServeVsockOptions;

// One signature per transport, in Deno.serve's order (the ones with a required option first): an
// inline `onListen(addr)` gets its address type.
/**
 * `Deno.serve` with an instrumented handler and flush on SIGTERM/SIGINT (the server is shut
 * down gracefully first). Deno's options (`port`, `hostname`, `signal`, `onListen`, ...) pass
 * through. Deno's `onError` answers an error the handler throws inside the request's telemetry: the
 * span and the metrics record the status of its Response, with the exception on the span. Once the
 * server has closed, its last telemetry is flushed and it leaves the exit flush.
 *
 * @example
 * ```ts
 * import { serve } from '@lexigram/monitor/deno';
 * serve((req) => new Response('hello'), { serviceName: 'api' }, { port: 8000 });
 * ```
 */
export function serve(handler: DenoHandler, config: MonitorConfig<EnvRecord>, serverOptions: DenoServeUnixOptions): DenoHttpServer;
export function serve(handler: DenoHandler, config: MonitorConfig<EnvRecord>, serverOptions: DenoServeVsockOptions): DenoHttpServer;
export function serve(handler: DenoHandler, config?: MonitorConfig<EnvRecord>, serverOptions?: DenoServeTcpOptions): DenoHttpServer;
export function serve(handler: DenoHandler, config: MonitorConfig<EnvRecord>, serverOptions: DenoServeOptions): DenoHttpServer;
export function serve(
  handler: DenoHandler,
  config: MonitorConfig<EnvRecord> = {},
  serverOptions: DenoServeOptions = {},
): DenoHttpServer {
  const { instrumentation = {}, onError: onErrorOption, ...denoOptions } = serverOptions as Record<string, unknown> & { instrumentation?: DenoServeInstrumentation };
  checkHttpOptions('serve: instrumentation', instrumentation, INSTRUMENTATION_KEYS);
  checkNotBeside(denoOptions, INSTRUMENTATION_KEYS);
  const { flushOnExit: exitOption, ...http } = instrumentation;
  const rescued = withDenoOnError(handler, onErrorOption);
  if (rescued.onError !== undefined) denoOptions.onError = rescued.onError;
  const fetch = instrument(rescued.handler, config, http);
  // Registered (its options checked) before the server starts: a wrong option threw with the
  // server already listening, left running.
  let server: DenoHttpServer | undefined;
  const unregister = exitOption === false ? undefined : flushOnExit(fetch, serveExitOptions(exitOption, () => server?.shutdown()));
  try {
    server = denoGlobal().serve(denoOptions, fetch);
  } catch (err) {
    // Not listening (AddrInUse): nothing to flush on exit.
    unregister?.();
    throw err;
  }
  if (unregister) {
    // Once the server has closed (server.shutdown(), the `signal` option, a signal's flush), its
    // last exports are flushed and its handler leaves the exit flush: a process that starts and
    // closes servers in turn (tests, a supervisor) kept every closed handler, and its monitor,
    // for a signal. While the server runs it holds the handler itself, so nothing is kept longer.
    const leave = (): Promise<void> => fetch.flush().finally(unregister);
    server.finished?.then(leave, leave).catch(() => {});
  }
  return server;
}
