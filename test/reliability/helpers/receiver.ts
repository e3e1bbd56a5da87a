/**
 * A local OTLP/HTTP receiver on 127.0.0.1 that misbehaves on purpose, one mode at a time.
 * It counts every request (per signal path) so tests can bound retries.
 */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closedPort, listenOnLoopback } from '../../../runtimes/test-support/loopback.js';
import { gunzipSync } from 'node:zlib';

export type FaultMode =
  | 'ok'
  | 'down' // nothing listens on the port
  | 'refuse' // TCP accepted then destroyed at once (connection reset before any answer)
  | 'reset-mid-body' // reads part of the body, then destroys the socket
  | 'http-500'
  | 'http-400'
  | 'http-503'
  | 'http-429'
  | 'http-429-retry-after-1s'
  | 'http-503-retry-after-date'
  | 'http-429-retry-after-3600s'
  | 'after-deadline' // accepts and never answers
  | 'body-10mb' // 200 with a declared 10 MB body
  | 'body-10mb-chunked' // 200 with a 10 MB chunked body (no Content-Length)
  | 'malformed-protobuf'; // 200 with bytes that are not an ExportResponse

export const FAULT_MODES: readonly FaultMode[] = [
  'down',
  'refuse',
  'reset-mid-body',
  'http-500',
  'http-400',
  'http-503',
  'http-429',
  'http-429-retry-after-1s',
  'http-503-retry-after-date',
  'http-429-retry-after-3600s',
  'after-deadline',
  'body-10mb',
  'body-10mb-chunked',
  'malformed-protobuf',
];

export interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly raw: Buffer;
}

export interface FaultReceiver {
  readonly url: string;
  readonly port: number;
  /** Requests whose body was read completely (modes that answer). */
  readonly received: Received[];
  /** Requests that arrived at all (connections for 'refuse', request heads otherwise). */
  arrivals: number;
  mode: FaultMode;
  /** Optional delay before answering in 'ok' mode (backpressure). */
  delayMs: number;
  /** Keep request bodies in `received` (default true; off for heap measurements). */
  keep: boolean;
  /** Requests answered so far. */
  readonly answered: number;
  close(): Promise<void>;
}

const TEN_MB = 10 * 1024 * 1024;

function answer(mode: FaultMode, req: IncomingMessage, res: ServerResponse, rec: Received): void {
  const proto = !String(req.headers['content-type']).includes('json');
  const ct = proto ? 'application/x-protobuf' : 'application/json';
  switch (mode) {
    case 'ok':
      res.writeHead(200, { 'content-type': ct });
      res.end(proto ? undefined : '{}');
      return;
    case 'http-500':
    case 'http-400':
    case 'http-503':
    case 'http-429':
      res.writeHead(Number(mode.slice(5)), { 'content-type': 'text/plain' });
      res.end('nope');
      return;
    case 'http-429-retry-after-1s':
      res.writeHead(429, { 'retry-after': '1' });
      res.end();
      return;
    case 'http-503-retry-after-date':
      // HTTP-date has a one-second resolution: 2 s ahead is a wait of 1-2 s.
      res.writeHead(503, { 'retry-after': new Date(Date.now() + 2000).toUTCString() });
      res.end();
      return;
    case 'http-429-retry-after-3600s':
      res.writeHead(429, { 'retry-after': '3600' });
      res.end();
      return;
    case 'after-deadline':
      return; // never answers; the socket is destroyed on close()
    case 'body-10mb': {
      res.writeHead(200, { 'content-type': ct, 'content-length': String(TEN_MB) });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      let sent = 0;
      const pump = (): void => {
        while (sent < TEN_MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    case 'body-10mb-chunked': {
      res.writeHead(200, { 'content-type': ct });
      const chunk = Buffer.alloc(64 * 1024, 0x0a);
      let sent = 0;
      const pump = (): void => {
        while (sent < TEN_MB) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    case 'malformed-protobuf':
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      // Truncated length-delimited field, an invalid wire type, and continuation bytes without end.
      res.end(Buffer.from([0x0a, 0xff, 0xff, 0x07, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
      return;
    default:
      void rec;
      res.writeHead(500);
      res.end();
  }
}

export async function startFaultReceiver(mode: FaultMode = 'ok'): Promise<FaultReceiver> {
  const state = { mode, delayMs: 0, arrivals: 0, keep: true, answered: 0 };
  const received: Received[] = [];
  let server: NetServer | ReturnType<typeof createServer>;

  if (mode === 'down') {
    const port = await closedPort();
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      received,
      arrivals: 0,
      mode,
      delayMs: 0,
      keep: true,
      answered: 0,
      close: async () => undefined,
    };
  }

  if (mode === 'refuse') {
    server = createNetServer((s) => {
      state.arrivals++;
      s.on('error', () => undefined);
      s.destroy();
    });
  } else {
    server = createServer((req, res) => {
      state.arrivals++;
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (state.mode === 'reset-mid-body' && size > 0) req.socket.destroy();
      });
      req.on('error', () => undefined);
      res.on('error', () => undefined);
      req.on('end', () => {
        if (state.mode === 'reset-mid-body') return void req.socket.destroy();
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const rec: Received = state.keep ? { path: req.url ?? '', headers: req.headers, body, raw } : { path: req.url ?? '', headers: {}, body: Buffer.alloc(0), raw: Buffer.alloc(0) };
        received.push(rec);
        const reply = (): void => {
          state.answered++;
          answer(state.mode, req, res, rec);
        };
        if (state.delayMs > 0) setTimeout(reply, state.delayMs);
        else reply();
      });
    });
    server.on('clientError', (_e, s) => s.destroy());
  }
  const loop = await listenOnLoopback(server);
  return {
    url: loop.url,
    port: loop.port,
    received,
    get arrivals() {
      return state.arrivals;
    },
    set arrivals(n: number) {
      state.arrivals = n;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: FaultMode) {
      state.mode = m;
    },
    get delayMs() {
      return state.delayMs;
    },
    get keep() {
      return state.keep;
    },
    set keep(k: boolean) {
      state.keep = k;
    },
    get answered() {
      return state.answered;
    },
    set delayMs(n: number) {
      state.delayMs = n;
    },
    close: loop.close,
  };
}

/** What each mode should end as: the drop reason (undefined = delivered) and the attempt bound. */
export function expectation(mode: FaultMode, maxAttempts: number): { reason: string | undefined; maxRequests: number; minRequests: number } {
  switch (mode) {
    case 'ok':
    case 'malformed-protobuf':
      return { reason: undefined, maxRequests: 1, minRequests: 1 };
    case 'down':
      return { reason: 'export_failed', maxRequests: 0, minRequests: 0 };
    case 'refuse':
    case 'reset-mid-body':
    case 'http-503':
    case 'http-429':
      return { reason: 'export_failed', maxRequests: maxAttempts, minRequests: 2 };
    case 'http-429-retry-after-1s':
    case 'http-503-retry-after-date':
      return { reason: 'export_failed', maxRequests: maxAttempts, minRequests: 2 };
    case 'http-429-retry-after-3600s':
    case 'http-500':
      return { reason: 'export_failed', maxRequests: 1, minRequests: 1 };
    case 'http-400':
      return { reason: 'export_rejected', maxRequests: 1, minRequests: 1 };
    case 'after-deadline':
      return { reason: 'export_timeout', maxRequests: 1, minRequests: 1 };
    case 'body-10mb':
    case 'body-10mb-chunked':
      return { reason: 'export_failed', maxRequests: 1, minRequests: 1 };
  }
}
