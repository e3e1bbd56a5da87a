/**
 * A local stand-in for a Cloudflare service that a binding calls through miniflare's remote-proxy
 * client (`remoteProxyConnectionString`): the client forwards the binding's `fetch` with the
 * original URL in `MF-URL` and each header as `MF-Header-<name>`. The binding itself (workerd's
 * own Ai or Vectorize class) is the runtime's; only the service behind it is this server.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  /** The path of the URL the binding fetched (`/run`, `/query`...). */
  readonly path: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Starts the server; `answer` writes the response. A request without MF-URL (the client's RPC WebSocket session) is refused. */
export async function startStandIn(answer: (r: StandInRequest, res: ServerResponse) => void): Promise<{ url: URL; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = req.headers['mf-url'] as string | undefined;
      if (!url) return void res.writeHead(404).end();
      answer({ path: new URL(url).pathname, url, headers: req.headers, body }, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Writes `v` as a JSON response. */
export function json(res: ServerResponse, status: number, v: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(v));
}
