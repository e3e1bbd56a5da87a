/// <reference types="node" />
import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvRecord } from '../../../src/config/env.js';
import type { MonitorConfig } from '../../../src/adapter/monitor-from-config.js';
import { serveExitOptions, type InstrumentedHandler, type ServerInstrumentationOptions } from '../../../src/adapter/process-server.js';
import { checkHttpOptions, HTTP_OPTION_KEYS, kindOf } from '../../../src/config/option-keys.js';
import { flushOnExit, type FlushOnExitOptions } from './flush-on-exit.js';
import { instrument, type NodeHandler } from './instrument.js';
import { nodeListener, trustFunctionFailed, type NodeRequestInfo } from './node-http.js';
import { trustProxyOption, type TrustProxy } from './trust-proxy.js';

export interface NodeServeOptions extends ServerInstrumentationOptions {
  /** Default 3000 (0 picks a free port); a string of digits (`process.env.PORT`) is read as the number. */
  port?: number | string;
  /** Interface to listen on. Default: all interfaces (Node's default). */
  hostname?: string;
  /** Passed to `http.createServer`. */
  server?: ServerOptions;
  /** Flush on SIGTERM/SIGINT before exit (default true); options or false. */
  flushOnExit?: boolean | FlushOnExitOptions;
  /**
   * Behind a reverse proxy: the client's scheme, host and address from the headers the proxies
   * set, for `request.url`, `info.remoteAddress` and the span (see `toNodeListener`). Default false.
   */
  trustProxy?: TrustProxy;
}

const SERVE_KEYS: Record<keyof NodeServeOptions, 0> = { ...HTTP_OPTION_KEYS, port: 0, hostname: 0, server: 0, flushOnExit: 0, traceFetch: 0, trustProxy: 0 };

export interface NodeServer {
  readonly server: Server;
  readonly handler: InstrumentedHandler<NodeRequestInfo | undefined>;
  readonly port: number;
  readonly url: string;
  /** Stops accepting connections, waits for open requests and flushes their exports; the monitor keeps running (it may be shared). */
  close(): Promise<void>;
}

/**
 * Starts a Node `http` server for a fetch-style handler, instrumented, with flush on
 * SIGTERM/SIGINT. Resolves once it listens.
 *
 * @example
 * ```ts
 * import { serve } from '@lexigram/monitor/node';
 * const { url } = await serve((req) => new Response('hello'), { serviceName: 'api' }, { port: 3000 });
 * ```
 */
export async function serve(handler: NodeHandler, config: MonitorConfig<EnvRecord> = {}, serverOptions: NodeServeOptions = {}): Promise<NodeServer> {
  checkHttpOptions('serve', serverOptions, SERVE_KEYS);
  const { port = 3000, hostname, server: nodeOptions, flushOnExit: exitOption, trustProxy, ...http } = serverOptions;
  // Node's listen() takes any other text as the path of a Unix socket: '3000x' (a typo in
  // PORT) listened on a file named 3000x, and printed a URL nothing answered.
  const p: unknown = typeof port == 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (!(typeof p == 'number' && Number.isInteger(p) && p >= 0 && p <= 65535)) throw new RangeError(`serve: \`port\` must be a port number, 0 to 65535 (0 picks a free one), got ${kindOf(port)}.`);
  // Before instrument(): a wrong value throws before a monitor is made or fetch is traced.
  const readForwarded = trustProxyOption('serve', trustProxy, (error) => trustFunctionFailed(instrumented)(error));
  const instrumented = instrument(handler, config, http);
  const server = createServer(nodeOptions ?? {}, nodeListener(instrumented, readForwarded));
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      // server.close() closes the connections idle at that moment only: a kept-alive one whose
      // response was still being written stayed open its whole keepAliveTimeout (5 s) after it,
      // holding close() and half of a SIGTERM's flush. Idle ones are closed as they become so.
      const idle = setInterval(() => server.closeIdleConnections?.(), 50);
      idle.unref?.();
      server.close(() => {
        clearInterval(idle);
        resolve();
      });
      server.closeIdleConnections?.();
    });
  // close() unregisters it: a process that starts and closes servers in turn (tests, a
  // supervisor) would otherwise keep every closed handler, and its monitor, for a signal.
  const unregister = exitOption === false ? undefined : flushOnExit(instrumented, serveExitOptions(exitOption, stop));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Not listening (EADDRINUSE): nothing to flush on exit, and no handler kept for a signal.
    unregister?.();
    throw err;
  }
  const address = server.address() as AddressInfo;
  // Listening on every address (no hostname: `::`, or `0.0.0.0`), the URL to open is localhost's,
  // as Bun's server.url gives it without a hostname; `http://[::]:3000` names no host a browser
  // goes to, and localhost reaches both (Node's `::` takes IPv4 too).
  const any = address.address === '::' || address.address === '0.0.0.0';
  const host = any ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    handler: instrumented,
    port: address.port,
    url: `http://${host}:${address.port}`,
    // Flushed, not shut down, as Bun's stop() and Deno's shutdown() leave it: the monitor may be the
    // app's, shared with another server or a middleware, whose telemetry a shutdown dropped.
    close: async () => {
      await stop();
      await instrumented.flush();
      unregister?.();
    },
  };
}
