/** A local OTLP/HTTP receiver on 127.0.0.1 that records every request and can misbehave on purpose. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closedPort, listenOnLoopback } from '../../../runtimes/test-support/loopback.js';
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
  const loop = await listenOnLoopback(server);
  return {
    url: loop.url,
    requests,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    close: loop.close,
  };
}

export { closedPort };
