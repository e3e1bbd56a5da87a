/** The Node side of the workerd tests: one server that is both the OTLP receiver and the echo target of outgoing fetches. */
import type { ServerResponse } from 'node:http';
import { ok, startReceiver, type Received, type Receiver } from '../../../../test/otlp/helpers/receiver.js';

export interface TestServer extends Receiver {
  /** Delay (ms) before answering OTLP posts; 0 answers at once. */
  otlpDelayMs: number;
  /** When set, OTLP posts get this status. */
  otlpStatus?: number;
  /** Times at which each OTLP answer was sent. */
  readonly answeredAt: number[];
  echoes(): Received[];
  otlp(): Received[];
}

export async function startTestServer(): Promise<TestServer> {
  const answeredAt: number[] = [];
  const state = { otlpDelayMs: 0, otlpStatus: undefined as number | undefined };
  const handler = (req: Received, res: ServerResponse, i: number): void => {
    if (req.path.startsWith('/echo')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.path, traceparent: req.headers.traceparent ?? null }));
      return;
    }
    const answer = (): void => {
      answeredAt.push(Date.now());
      if (state.otlpStatus) {
        res.writeHead(state.otlpStatus);
        res.end();
      } else ok(req, res, i);
    };
    if (state.otlpDelayMs > 0) setTimeout(answer, state.otlpDelayMs);
    else answer();
  };
  const r = await startReceiver(handler);
  return Object.assign(r, {
    get otlpDelayMs() {
      return state.otlpDelayMs;
    },
    set otlpDelayMs(v: number) {
      state.otlpDelayMs = v;
    },
    get otlpStatus() {
      return state.otlpStatus;
    },
    set otlpStatus(v: number | undefined) {
      state.otlpStatus = v;
    },
    answeredAt,
    echoes: () => r.requests.filter((q) => q.path.startsWith('/echo')),
    otlp: () => r.requests.filter((q) => q.path.startsWith('/v1/')),
  });
}
