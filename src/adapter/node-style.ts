/**
 * @module
 * Node-style handlers `(req, res)`: Vercel's Node.js runtime, Express apps, plain
 * `http.createServer` listeners. Everything is read by shape (duck typing), so the core keeps no
 * Node import; the serverless and Node adapters build on it.
 */
import type { RequestTelemetry } from '../http/handle-request.js';
import { normalizeMethod, serverSpanName } from '../http/request-attributes.js';

/** The parts of `IncomingMessage` read here. */
export interface NodeRequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly socket?: { readonly encrypted?: boolean; readonly remoteAddress?: string } | null;
  /** Set by Express once a route matched: `route.path` below `baseUrl`. */
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: string;
}

/** The parts of `ServerResponse` read here. */
export interface NodeResponseLike {
  statusCode: number;
  readonly writableFinished?: boolean;
  readonly destroyed?: boolean;
  setHeader(name: string, value: unknown): unknown;
  end(...args: unknown[]): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
  removeListener?(event: 'finish' | 'close', listener: () => void): unknown;
  getHeaders?(): Record<string, unknown>;
}

export function isNodeStyleCall(args: readonly unknown[]): boolean {
  const [req, res] = args as [Partial<NodeRequestLike> | undefined, Partial<NodeResponseLike> | undefined];
  return (
    typeof req === 'object' && req !== null && typeof req.method === 'string' && typeof req.headers === 'object' && req.headers !== null &&
    typeof res === 'object' && res !== null && typeof res.end === 'function' && typeof res.setHeader === 'function' && typeof res.once === 'function'
  );
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A Web `Request` with the Node request's method, URL and headers (no body: only read for telemetry). */
export function requestFromNode(req: NodeRequestLike): Request {
  const h = req.headers;
  const proto = first(h['x-forwarded-proto'])?.split(',')[0]?.trim() || (req.socket?.encrypted ? 'https' : 'http');
  const host = first(h['x-forwarded-host'])?.split(',')[0]?.trim() || first(h.host) || 'localhost';
  const headers = new Headers();
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined || name.startsWith(':')) continue;
    try {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    } catch {
      // a header the Fetch API refuses is only missing from the attributes
    }
  }
  let url: string;
  try {
    url = new URL(req.url ?? '/', `${proto}://${host}`).href;
  } catch {
    url = `${proto}://localhost/`;
  }
  return new Request(url, { method: req.method, headers });
}

/** Resolves once the response has been sent (`finish`) or the connection closed first. */
export function responseDone(res: NodeResponseLike): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.removeListener?.('finish', done);
      res.removeListener?.('close', done);
      resolve();
    };
    res.once('finish', done);
    res.once('close', done);
  });
}

/**
 * What the shared HTTP instrumentation is told the response was: the status and headers the
 * function sent. The function's own return value goes back to the platform unchanged.
 */
export function sentResponse(res: NodeResponseLike): Response {
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(res.getHeaders?.() ?? {})) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, String(v));
      else if (value !== undefined) headers.set(name, String(value));
    }
  } catch {
    // headers are best effort
  }
  return { status: res.statusCode, statusText: '', headers, body: null } as unknown as Response;
}

/** `/users/:id` when Express matched a route for this request. */
function expressRoute(req: NodeRequestLike): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  return base + path || undefined;
}

/**
 * Runs a Node-style handler inside its request's telemetry and resolves, once the response has
 * been sent, with what was sent (status and headers) for the server span and the metrics. An
 * Express route matched on the way names the span (`GET /users/:id`) and becomes `http.route`.
 */
export async function runNodeStyle(
  call: () => unknown,
  req: NodeRequestLike,
  res: NodeResponseLike,
  telemetry: RequestTelemetry,
): Promise<{ response: Response; returned: unknown }> {
  const returned = await call();
  await responseDone(res);
  try {
    const route = expressRoute(req);
    if (route && telemetry.span.isRecording()) {
      telemetry.span.setAttribute('http.route', route);
      telemetry.span.updateName(serverSpanName(normalizeMethod(req.method ?? 'GET'), route));
    }
  } catch {
    // naming is best effort
  }
  return { response: sentResponse(res), returned };
}
