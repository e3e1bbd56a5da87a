/** The Node side of the workerd tests: one server that is both the OTLP receiver and the echo target of outgoing fetches. */
import type { ServerResponse } from 'node:http';
import { ok, startReceiver, type Received, type Receiver } from '../../../../test/otlp/helpers/receiver.js';

export interface TestServer extends Receiver {
  /** Delay (ms) before answering OTLP posts; 0 answers at once. */
  otlpDelayMs: number;
  /** When set, OTLP posts get this status. */
  otlpStatus?: number;
  /** When each OTLP request arrived and when it was answered. */
  readonly answers: { receivedAt: number; answeredAt: number }[];
  echoes(): Received[];
  otlp(): Received[];
}

export async function startTestServer(): Promise<TestServer> {
  const answers: { receivedAt: number; answeredAt: number }[] = [];
  const state = { otlpDelayMs: 0, otlpStatus: undefined as number | undefined };
  const handler = (req: Received, res: ServerResponse, i: number): void => {
    if (req.path.startsWith('/echo')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.path, traceparent: req.headers.traceparent ?? null }));
      return;
    }
    const answer = (): void => {
      answers.push({ receivedAt: req.at, answeredAt: Date.now() });
      if (state.otlpStatus) {
        res.writeHead(state.otlpStatus);
        res.end();
      } else ok(req, res, i);
    };
    if (state.otlpDelayMs > 0) setTimeout(answer, state.otlpDelayMs);
    else answer();
  };
  const r = await startReceiver(handler);
  // defineProperties, not Object.assign: the setters must stay setters.
  return Object.defineProperties(r, {
    otlpDelayMs: { get: () => state.otlpDelayMs, set: (v: number) => (state.otlpDelayMs = v) },
    otlpStatus: { get: () => state.otlpStatus, set: (v: number | undefined) => (state.otlpStatus = v) },
    answers: { value: answers },
    echoes: { value: () => r.requests.filter((q) => q.path.startsWith('/echo')) },
    otlp: { value: () => r.requests.filter((q) => q.path.startsWith('/v1/')) },
  }) as TestServer;
}
