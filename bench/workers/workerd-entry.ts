/**
 * The Worker run by workerd-request.ts: three variants of the same app behind one script.
 * - `/plain/...`      the app without telemetry
 * - `/noop/...`       instrument() with a NoOpBackend (the server span ends when the handler returns)
 * - `/noop-body/...`  the same with `waitForBody: true` (diagnostic: the body watched through an identity TransformStream)
 * - `/noop-nowait/...` `/noop/` with a ctx whose waitUntil drops the promise (diagnostic, not in the default run)
 * - `/noop-bare/...`  instrument() + NoOp around the plain handler: no child span, metric or log of
 *   the app's own (diagnostic, not in the default run: what instrument() costs by itself)
 * - `/noop-span/`, `/noop-metrics/`, `/noop-log/` the NoOp variant with only the child span, only
 *   the two metric updates or only the log line of the app's telemetry (diagnostics)
 * - `/otlp/...`       instrument() with OtlpBackend (protobuf) posting to env.OTLP_ENDPOINT
 * - `/noop-unbatched/`, `/otlp-unbatched/` the same with `batchWindowMs: 0`: every request exports
 *   on its own, as before the Workers adapter batched requests closing within 100 ms;
 *   `/noop-bare-unbatched/`, `/noop-span-unbatched/`, `/noop-metrics-unbatched/`,
 *   `/noop-log-unbatched/` the diagnostics above, unbatched, for the `/loop`;
 *   `/otlp-window-50/`, `/otlp-window-1000/` OTLP with other windows (diagnostics)
 * - `/console/...`    instrument() with no backend configured: the console backend, the default
 * - `/loop?variant=&n=` runs n requests through a variant inside the isolate (synthetic ctx whose
 *   waitUntil promises are awaited) and returns the elapsed ms: JS time per request without
 *   the HTTP path; `otlp-stub` there uses a stubbed fetch, so encoding is paid but no I/O. Loop
 *   variants must not batch (each awaited request would wait out the window), unless `&batched=1`
 *   awaits every waitUntil promise once, after the last request.
 */
import { OtlpBackend } from '../../src/exporters/otlp/index.js';
import { NoOpBackend } from '../../src/index.js';
import { instrument } from '../../runtimes/cloudflare-workers/index.js';
import { instrumented, plain } from './app.js';

type Env = { OTLP_ENDPOINT: string };
type Ctx = { waitUntil(p: Promise<unknown>): void; passThroughOnException(): void };
type Fetcher = { fetch?(req: Request, env: any, ctx: any, t?: any): Promise<Response> | Response };

const variants: Record<string, Fetcher> = {
  plain,
  noop: instrumented([new NoOpBackend()]),
  'noop-body': instrumented([new NoOpBackend()], { waitForBody: true }),
  'noop-bare': instrument({ fetch: (request: Request) => plain.fetch(request) }, { serviceName: 'bench-bare', backends: [new NoOpBackend()] }),
  'noop-span': instrumented([new NoOpBackend()], {}, { metrics: false, log: false }),
  'noop-metrics': instrumented([new NoOpBackend()], {}, { span: false, log: false }),
  'noop-log': instrumented([new NoOpBackend()], {}, { span: false, metrics: false }),
  'noop-unbatched': instrumented([new NoOpBackend()], { batchWindowMs: 0 }),
  'noop-bare-unbatched': instrument({ fetch: (request: Request) => plain.fetch(request) }, { serviceName: 'bench-bare', backends: [new NoOpBackend()], batchWindowMs: 0 }),
  'noop-span-unbatched': instrumented([new NoOpBackend()], { batchWindowMs: 0 }, { metrics: false, log: false }),
  'noop-metrics-unbatched': instrumented([new NoOpBackend()], { batchWindowMs: 0 }, { span: false, log: false }),
  'noop-log-unbatched': instrumented([new NoOpBackend()], { batchWindowMs: 0 }, { span: false, metrics: false }),
  console: instrumented(undefined),
  otlp: instrumented((env: Env) => [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT, protocol: 'http/protobuf' })]),
  'otlp-unbatched': instrumented((env: Env) => [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT, protocol: 'http/protobuf' })], { batchWindowMs: 0 }),
  'otlp-window-50': instrumented((env: Env) => [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT, protocol: 'http/protobuf' })], { batchWindowMs: 50 }),
  'otlp-window-1000': instrumented((env: Env) => [new OtlpBackend({ endpoint: env.OTLP_ENDPOINT, protocol: 'http/protobuf' })], { batchWindowMs: 1000 }),
  'otlp-stub': instrumented([new OtlpBackend({ endpoint: 'http://127.0.0.1:9', protocol: 'http/protobuf', fetch: async () => new Response(null, { status: 200 }) })], { batchWindowMs: 0 }),
};

/**
 * The loop's `ctx`, shaped as workerd's ExecutionContext: its methods on a prototype every `ctx`
 * shares. An object literal with methods of its own had the adapter wrap its
 * `passThroughOnException` anew for each request, which workerd's `ctx` never asks (the method
 * is wrapped once, on the prototype).
 */
class LoopCtx implements Ctx {
  constructor(readonly pending: Promise<unknown>[]) {}
  waitUntil(p: Promise<unknown>): void {
    this.pending.push(p);
  }
  passThroughOnException(): void {}
}

async function loop(name: string, n: number, env: Env, batched: boolean): Promise<number> {
  const v = variants[name]!;
  const t0 = performance.now();
  // batched: the waitUntil promises are awaited once, after the last request, so a batching
  // variant exports as under load (one export per full batch, the rest when the window ends).
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const pending: Promise<unknown>[] = batched ? all : [];
    const res = await v.fetch!(new Request(`https://bench.example/orders/${i % 50}`), env, new LoopCtx(pending));
    await res.text();
    if (!batched) await Promise.all(pending);
  }
  await Promise.all(all);
  return performance.now() - t0;
}

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const url = new URL(request.url);
    const [, first] = url.pathname.split('/');
    if (first === 'loop') {
      const name = url.searchParams.get('variant')!;
      const ms = await loop(name, Number(url.searchParams.get('n') ?? 1000), env, url.searchParams.get('batched') === '1');
      return new Response(String(ms));
    }
    if (first === 'noop-nowait') {
      // Diagnostic: the NoOp variant with its waitUntil promise dropped (what registering it costs).
      return variants.noop!.fetch!(request, env, { waitUntil() {}, passThroughOnException() {} });
    }
    const v = variants[first!];
    if (!v) return new Response('not found', { status: 404 });
    return v.fetch!(request, env, ctx);
  },
};
