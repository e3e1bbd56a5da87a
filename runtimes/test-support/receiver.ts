/**
 * A local OTLP/HTTP receiver on 127.0.0.1 built on `node:http`, so the same helper runs under
 * Node, Deno and Bun. JSON bodies are parsed here; protobuf bodies need a decoder (Node tests
 * pass protobufjs's). It can answer slowly or fail on purpose.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export type Decoder = (signal: 'traces' | 'metrics' | 'logs', body: Uint8Array) => any;

export interface ReceivedExport {
  readonly signal: 'traces' | 'metrics' | 'logs';
  readonly body: any;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedExport[];
  /** Delay before answering, in ms (the body is recorded when it arrives). */
  delayMs: number;
  /** Status to answer with (200 by default). */
  status: number;
  /** Exports answered so far: a response read while this is still 0 did not wait for one. */
  readonly answered: number;
  close(): Promise<void>;
}

export async function startReceiver(decodeProto?: Decoder): Promise<Receiver> {
  const received: ReceivedExport[] = [];
  const state = { delayMs: 0, status: 200, answered: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Uint8Array[] = [];
    req.on('data', (c: Uint8Array) => chunks.push(c));
    req.on('end', () => {
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const raw = new Uint8Array(total);
      let off = 0;
      for (const c of chunks) {
        raw.set(c, off);
        off += c.length;
      }
      const signal = (req.url ?? '').includes('traces') ? 'traces' : (req.url ?? '').includes('metrics') ? 'metrics' : 'logs';
      const json = String(req.headers['content-type']).includes('json');
      const body = json ? JSON.parse(new TextDecoder().decode(raw)) : decodeProto ? decodeProto(signal, raw) : undefined;
      received.push({ signal, body, at: Date.now() });
      setTimeout(() => {
        res.writeHead(state.status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : undefined);
        state.answered++;
      }, state.delayMs);
    });
  });
  const loop = await listenOnLoopback(server);
  return {
    url: loop.url,
    received,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    get status() {
      return state.status;
    },
    get answered() {
      return state.answered;
    },
    set status(v: number) {
      state.status = v;
    },
    close: loop.close,
  };
}

/** A plain value out of an OTLP AnyValue. */
export function value(v: any): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

export function attrs(list: any[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = value(kv.value);
  return out;
}

export interface FlatSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export function spansOf(r: Receiver): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const e of r.received) {
    if (e.signal !== 'traces') continue;
    for (const rs of e.body.resourceSpans ?? []) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          out.push({
            traceId: String(s.traceId ?? '').toLowerCase(),
            spanId: String(s.spanId ?? '').toLowerCase(),
            parentSpanId: String(s.parentSpanId ?? '').toLowerCase(),
            name: s.name,
            kind: s.kind ?? 0,
            status: s.status?.code ?? 0,
            attributes: attrs(s.attributes),
            resource: attrs(rs.resource?.attributes),
          });
        }
      }
    }
  }
  return out;
}

export interface FlatPoint {
  metric: string;
  attributes: Record<string, unknown>;
  count?: number;
  value?: number;
}

export function pointsOf(r: Receiver): FlatPoint[] {
  const out: FlatPoint[] = [];
  for (const e of r.received) {
    if (e.signal !== 'metrics') continue;
    for (const rm of e.body.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const data = m.histogram ?? m.sum ?? m.gauge ?? m.summary;
          for (const p of data?.dataPoints ?? []) {
            out.push({
              metric: m.name,
              attributes: attrs(p.attributes),
              count: p.count !== undefined ? Number(p.count) : undefined,
              value: p.asInt !== undefined ? Number(p.asInt) : p.asDouble !== undefined ? Number(p.asDouble) : undefined,
            });
          }
        }
      }
    }
  }
  return out;
}

/** Polls until `check` is true or `ms` passed. */
export async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for the receiver');
    await new Promise((r) => setTimeout(r, 20));
  }
}
