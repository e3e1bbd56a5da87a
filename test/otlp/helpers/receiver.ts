/** A local OTLP/HTTP receiver on 127.0.0.1 that records every request and can misbehave on purpose. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** Decompressed body. */
  readonly body: Buffer;
  readonly rawLength: number;
  readonly at: number;
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void;

export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  handler: Handler;
  close(): Promise<void>;
}

export const ok: Handler = (req, res) => {
  const json = String(req.headers['content-type']).includes('json');
  res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
  res.end(json ? '{}' : undefined);
};

export async function startReceiver(handler: Handler = ok): Promise<Receiver> {
  const requests: Received[] = [];
  const state = { handler };
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const rec: Received = { method: req.method!, path: req.url!, headers: req.headers, body, rawLength: raw.length, at: Date.now() };
      requests.push(rec);
      state.handler(rec, res, requests.length - 1);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port that was just free: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
